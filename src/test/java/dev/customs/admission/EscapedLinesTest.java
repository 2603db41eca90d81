package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * {@link EscapedLines} against the encoder it stands in for, Jackson's {@link JsonStringEncoder#quoteAsUTF8}: every
 * character of the Basic Multilingual Plane, surrogate pairs, lines of random text; lone surrogates refused.
 */
class EscapedLinesTest {

    private static byte[] jackson(String s) {
        return JsonStringEncoder.getInstance().quoteAsUTF8(s);
    }

    private static byte[] escaped(String s) {
        EscapedLines lines = new EscapedLines(1, 0);
        assertThat(lines.add(s)).as("escaped %s", s).isTrue();
        return Arrays.copyOfRange(lines.bytes(), lines.start(0), lines.start(0) + lines.length(0));
    }

    @Test
    void everyCharacterOfTheBasicPlaneIsEscapedAsJacksonEscapesIt() {
        for (char c = 0; c < Character.MIN_SURROGATE; c++) {
            String s = "a" + c + "b";
            assertThat(escaped(s)).as("U+%04X", (int) c).isEqualTo(jackson(s));
        }
        for (int c = Character.MAX_SURROGATE + 1; c <= 0xffff; c++) {
            String s = "a" + (char) c + "b";
            assertThat(escaped(s)).as("U+%04X", c).isEqualTo(jackson(s));
        }
        // the control characters with a short escape, and one without in upper-case hex
        assertThat(new String(escaped("\"\\\b\t\n\f\r\u001f"), StandardCharsets.US_ASCII))
                .isEqualTo("\\\"\\\\\\b\\t\\n\\f\\r\\u001F");
    }

    @Test
    void surrogatePairsBecomeOneFourByteSequence() {
        for (int cp : new int[] { 0x10000, 0x1f600, 0x10ffff, 0x2a6d6 }) {
            String s = "x" + Character.toString(cp) + "y";
            assertThat(escaped(s)).as("U+%X", cp).isEqualTo(jackson(s))
                    .isEqualTo(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void linesOfRandomTextAreEscapedAsJacksonEscapesThem() {
        Random random = new Random(42);
        for (int n = 0; n < 2000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(300);
            while (sb.length() < len) {
                switch (random.nextInt(5)) {
                    case 0 -> sb.append((char) random.nextInt(0x80));
                    case 1 -> sb.append((char) (0x80 + random.nextInt(0x780)));
                    case 2 -> sb.appendCodePoint(0x10000 + random.nextInt(0x100000));
                    case 3 -> sb.append("[run-as-root] container \"app\" — set runAsNonRoot: true");
                    default -> sb.append((char) (0xe000 + random.nextInt(0x2000)));
                }
            }
            String s = sb.toString();
            assertThat(escaped(s)).isEqualTo(jackson(s));
        }
    }

    @Test
    void aLoneSurrogateIsRefusedAndLeavesNothingBehind() {
        EscapedLines lines = new EscapedLines(3, 4);
        assertThat(lines.add("first")).isTrue();
        for (String bad : List.of("high \ud800 alone", "low \udc00 first", "ends high \ud83d", "\udc00\ud800")) {
            assertThat(lines.add(bad)).as(bad).isFalse();
            assertThat(lines.length()).isEqualTo(5);
        }
        lines.addEscaped("se\\\"cond".getBytes(StandardCharsets.UTF_8));
        assertThat(lines.add("thi\trd ✓")).isTrue();
        String joined = new String(lines.bytes(), 0, lines.length(), StandardCharsets.UTF_8);
        assertThat(joined).isEqualTo("first\\nse\\\"cond\\nthi\\trd ✓");
        assertThat(new String(lines.bytes(), lines.start(1), lines.length(1), StandardCharsets.UTF_8))
                .isEqualTo("se\\\"cond");
        assertThat(new String(lines.bytes(), lines.start(2), lines.length(2), StandardCharsets.UTF_8))
                .isEqualTo("thi\\trd ✓");
    }

    @Test
    void theArrayGrowsPastItsFirstSize() {
        String line = "é\u0001".repeat(5000);
        EscapedLines lines = new EscapedLines(2, 1);
        assertThat(lines.add(line)).isTrue();
        assertThat(lines.add(line)).isTrue();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(jackson(line));
        expected.writeBytes(new byte[] { '\\', 'n' });
        expected.writeBytes(jackson(line));
        assertThat(Arrays.copyOf(lines.bytes(), lines.length())).isEqualTo(expected.toByteArray());
        assertThat(lines.length(1)).isEqualTo(jackson(line).length);

        // a run of plain characters longer than the array, copied in one piece
        String plain = "container app runs as root ".repeat(300) + "\"done\"";
        EscapedLines runs = new EscapedLines(1, 1);
        assertThat(runs.add(plain)).isTrue();
        assertThat(Arrays.copyOf(runs.bytes(), runs.length())).isEqualTo(jackson(plain));
    }
}
