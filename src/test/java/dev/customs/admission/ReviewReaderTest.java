package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ValueNode;

/**
 * {@link ReviewReader}: the tree {@code ObjectMapper.readTree} would build, without the objects' managedFields and
 * last-applied-configuration annotation, and with bounded nesting.
 */
class ReviewReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ReviewReader READER = new ReviewReader(JSON.getFactory(), JSON.getNodeFactory());

    private static JsonNode read(String json) throws IOException {
        return READER.read(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Every review the tests and the bench send, read both ways. */
    static Stream<Path> reviews() throws IOException {
        Stream<Path> fixtures = Files.walk(Path.of("src/test/resources/admission"))
                .filter(p -> p.toString().endsWith(".json") && !p.toString().contains("/bad/"));
        Stream<Path> bench = Files.list(Path.of("bench/payloads")).filter(p -> p.toString().endsWith(".json"));
        return Stream.concat(fixtures, bench).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reviews")
    void theTreeIsReadTreesLessWhatIsSkipped(Path review) throws IOException {
        byte[] body = Files.readAllBytes(review);
        ObjectNode expected = (ObjectNode) JSON.readTree(body);
        for (String object : new String[] { "object", "oldObject" }) {
            JsonNode metadata = expected.path("request").path(object).path("metadata");
            if (metadata instanceof ObjectNode m) {
                m.remove("managedFields");
                if (m.get("annotations") instanceof ObjectNode a) {
                    a.remove(ReviewReader.LAST_APPLIED);
                }
            }
        }
        assertThat(READER.read(body)).isEqualTo(expected);
    }

    @Test
    void managedFieldsAndLastAppliedAreSkippedOnlyInTheReviewedObjects() throws IOException {
        JsonNode tree = read("""
                {"request": {"object": {"metadata": {"name": "a", "managedFields": [{"manager": "kubectl"}],
                  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}", "keep": "1"}},
                  "spec": {"template": {"metadata": {"managedFields": "kept: not the object's own metadata"}}}},
                 "oldObject": {"metadata": {"managedFields": [], "name": "a"}}},
                 "metadata": {"managedFields": "kept: not in request"}}
                """);
        assertThat(tree.at("/request/object/metadata/name").asText()).isEqualTo("a");
        assertThat(tree.at("/request/object/metadata/managedFields").isMissingNode()).isTrue();
        assertThat(tree.at("/request/object/metadata/annotations").size()).isEqualTo(1);
        assertThat(tree.at("/request/object/metadata/annotations/keep").asText()).isEqualTo("1");
        assertThat(tree.at("/request/oldObject/metadata/managedFields").isMissingNode()).isTrue();
        assertThat(tree.at("/request/object/spec/template/metadata/managedFields").isTextual()).isTrue();
        assertThat(tree.at("/metadata/managedFields").isTextual()).isTrue();
    }

    /** What a skipped value may hold: brackets and quotes inside strings, escapes, nesting, any UTF-8. */
    static Stream<String> skippedValues() {
        return Stream.of("[]", "{}", "[{\"f:metadata\": {\"f:labels\": {\".\": {}, \"k:{\\\"name\\\":\\\"a]}\\\"}\": {}}}}]",
                "[\"]}\", \"\\\\\", \"\\\\\\\"]\", \"\\u005d\", \"sp\u00e4t \u2603\"]",
                "[1, -2.5e3, true, false, null, [[[{}]]], {\"a\": [1, {\"b\": \"}\"}]}]",
                "[\n {\"manager\" : \"kubectl\" ,\t\"time\": \"2026-12-02T00:00:00Z\"}\r\n]");
    }

    @ParameterizedTest
    @MethodSource("skippedValues")
    void aSkippedValueIsPassedOverByItsBytesAndWhatFollowsIsReadAsBefore(String skipped) throws IOException {
        String json = "{\"request\": {\"object\": {\"metadata\": {\"name\": \"a\", \"managedFields\": " + skipped
                + ", \"labels\": {\"app\": \"x]\"}}, \"spec\": {\"containers\": [{\"name\": \"c\"}]}}}}";
        ObjectNode expected = (ObjectNode) JSON.readTree(json);
        ((ObjectNode) expected.at("/request/object/metadata")).remove("managedFields");
        assertThat(read(json)).isEqualTo(expected);
        // the same through Jackson's own skipping, for input the raw skip does not take (UTF-16)
        byte[] utf16 = json.getBytes(StandardCharsets.UTF_16BE);
        assertThat(READER.read(utf16)).isEqualTo(expected);
    }

    @Test
    void aMalformedSkippedValueIsAParseError() {
        for (String skipped : List.of("[}", "{]", "[\"open", "[1, 2", "[{\"a\": [}]", "[@]", "[\"tab\there\"]",
                "[" + "[".repeat(ReviewReader.MAX_DEPTH) + "]".repeat(ReviewReader.MAX_DEPTH) + "]")) {
            String json = "{\"request\": {\"object\": {\"metadata\": {\"managedFields\": " + skipped
                    + ", \"name\": \"a\"}}}}";
            assertThatThrownBy(() -> read(json)).as(skipped).isInstanceOf(JsonProcessingException.class);
        }
    }

    /**
     * Strings the last-applied annotation may hold, with what ends or escapes a string at every offset from the eight
     * bytes the raw skip reads at a time, multi-byte UTF-8 across those eight, and an escaped object as kubectl writes it.
     */
    static Stream<String> skippedStrings() {
        Stream<String> shaped = IntStream.range(0, 20).boxed().flatMap(n -> Stream.of("x".repeat(n),
                "x".repeat(n) + "\\\"" + "y".repeat(20 - n), "x".repeat(n) + "\\\\", "x".repeat(n) + "\\u0022z",
                "\u00e4".repeat(n) + "\u2603" + "\\n".repeat(n % 3), "x".repeat(n) + "\\\\\\\"]}" + "y".repeat(n)));
        String kubectl = "{\\\"apiVersion\\\":\\\"v1\\\",\\\"kind\\\":\\\"Pod\\\",\\\"metadata\\\":{\\\"name\\\":"
                + "\\\"a\\\"}}\\n";
        return Stream.concat(shaped, Stream.of(kubectl, kubectl.repeat(50)));
    }

    @ParameterizedTest
    @MethodSource("skippedStrings")
    void theLastAppliedStringIsPassedOverByItsBytesAndWhatFollowsIsReadAsBefore(String skipped) throws IOException {
        String json = "{\"request\": {\"object\": {\"metadata\": {\"annotations\": {\"a\": \"1\", \""
                + ReviewReader.LAST_APPLIED + "\": \"" + skipped + "\", \"b\": \"x\\\"\"}, \"name\": \"n\"}}}}";
        ObjectNode expected = (ObjectNode) JSON.readTree(json);
        ((ObjectNode) expected.at("/request/object/metadata/annotations")).remove(ReviewReader.LAST_APPLIED);
        assertThat(read(json)).isEqualTo(expected);
        assertThat(READER.read(json.getBytes(StandardCharsets.UTF_16BE))).isEqualTo(expected);
    }

    @Test
    void aMalformedLastAppliedStringIsAParseError() {
        for (String skipped : List.of("\"open", "\"tab\there\"", "\"" + "x".repeat(13) + "\u0001\"",
                "\"ends in a backslash\\", "\"" + "x".repeat(40))) {
            String json = "{\"request\": {\"object\": {\"metadata\": {\"annotations\": {\""
                    + ReviewReader.LAST_APPLIED + "\": " + skipped + ", \"b\": \"c\"}}}}}";
            assertThatThrownBy(() -> read(json)).as(skipped).isInstanceOf(JsonProcessingException.class);
        }
    }

    /**
     * Every byte value at every one of the eight places, among neighbours that are and are not found, against a byte-by-byte
     * answer.
     */
    @Test
    void theEightByteScanFindsExactlyQuotesBackslashesAndControlCharacters() {
        for (int place = 0; place < 8; place++) {
            for (int v = 0; v < 256; v++) {
                for (long filler : new long[] { 0x4141414141414141L, 0xFFFFFFFFFFFFFFFFL, 0x2020202020202020L,
                        0x8080808080808080L, 0x5B5B5B5B5B5B5B5BL, 0L, 0x5C5C5C5C5C5C5C5CL, 0x1F1F1F1F1F1F1F1FL }) {
                    long w = (filler & ~(0xFFL << (8 * place))) | ((long) v << (8 * place));
                    long expected = 0;
                    for (int k = 0; k < 8; k++) {
                        int b = (int) (w >>> (8 * k)) & 0xFF;
                        if (b == '"' || b == '\\' || b < 0x20) {
                            expected |= 0x80L << (8 * k);
                        }
                    }
                    assertThat(RawSkipFactory.special(w)).as("%016x", w).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void likeReadTreeTheLastDuplicateWinsNumbersKeepTheirTypeAndTrailingInputIsIgnored() throws IOException {
        String json = "{\"a\": 1, \"a\": 2, \"big\": 12345678901, \"huge\": 123456789012345678901234567890, "
                + "\"f\": 1.5, \"t\": true, \"n\": null, \"s\": [\"x\", {}]} trailing";
        assertThat(read(json)).isEqualTo(JSON.readTree(json));
        assertThat(read(json).get("a").asInt()).isEqualTo(2);
        assertThat(read(" ").isMissingNode()).isTrue();
        assertThat(read("[1]").isArray()).isTrue();
    }

    @Test
    void malformedAndTooDeepInputAreParseErrors() {
        assertThatThrownBy(() -> read("{\"a\": [1, 2")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> read("{\"a\": }")).isInstanceOf(JsonProcessingException.class);
        String deep = "[".repeat(ReviewReader.MAX_DEPTH + 1) + "]".repeat(ReviewReader.MAX_DEPTH + 1);
        assertThatThrownBy(() -> read(deep)).isInstanceOf(JsonProcessingException.class);
        String deepest = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertThatThrownBy(() -> read(deepest)).isInstanceOf(JsonProcessingException.class);
        String fine = "[".repeat(ReviewReader.MAX_DEPTH) + "]".repeat(ReviewReader.MAX_DEPTH);
        assertThat(catchDepth(fine)).isTrue();
    }

    private static boolean catchDepth(String json) {
        try {
            return read(json).isArray();
        } catch (IOException e) {
            // Jackson's own nesting limit may be lower than ours; either way it is an error, never a crash
            return e instanceof JsonProcessingException;
        }
    }

    /** A node factory that counts what it makes, and fails as soon as the tree outgrows what was paid for. */
    private static final class PaidNodes extends JsonNodeFactory {
        private static final long serialVersionUID = 1L;
        long made;
        long paid;
        int calls;

        private void make() {
            if (++made > paid) {
                throw new AssertionError("node " + made + " made with " + paid + " tokens paid for");
            }
        }

        @Override
        public ObjectNode objectNode() {
            make();
            return super.objectNode();
        }

        @Override
        public ArrayNode arrayNode() {
            make();
            return super.arrayNode();
        }

        @Override
        public TextNode textNode(String text) {
            make();
            return super.textNode(text);
        }

        @Override
        public NumericNode numberNode(int v) {
            make();
            return super.numberNode(v);
        }

        @Override
        public NumericNode numberNode(long v) {
            make();
            return super.numberNode(v);
        }

        @Override
        public ValueNode numberNode(BigInteger v) {
            make();
            return super.numberNode(v);
        }

        @Override
        public NumericNode numberNode(double v) {
            make();
            return super.numberNode(v);
        }

        @Override
        public BooleanNode booleanNode(boolean v) {
            make();
            return super.booleanNode(v);
        }

        @Override
        public NullNode nullNode() {
            make();
            return super.nullNode();
        }
    }

    /** Bodies an attacker may send: dense arrays, deep nesting, many keys, and what the tests and the bench send. */
    static Stream<String> metered() throws IOException {
        int mib = 3 * 1024 * 1024;
        String zeros = "[" + "0,".repeat(mib / 2 - 1) + "0]";
        String nested = "[".repeat(mib);
        String keys = "{" + IntStream.range(0, 200_000).mapToObj(i -> "\"k" + i + "\":null").collect(
                Collectors.joining(",")) + "}";
        String strings = "[" + "\"\",".repeat(mib / 3 - 1) + "\"\"]";
        return Stream.concat(Stream.of(zeros, nested, keys, strings, "", "1", "[]"),
                reviews().map(p -> {
                    try {
                        return Files.readString(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
    }

    @ParameterizedTest
    @MethodSource("metered")
    void theTreeNeverOutgrowsWhatWasPaidForAndEndsPaidExactly(String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        PaidNodes nodes = new PaidNodes();
        ReviewReader reader = new ReviewReader(JSON.getFactory(), nodes);
        long[] last = { 0 };
        ReviewReader.Meter meter = tokens -> {
            nodes.paid = tokens;
            nodes.calls++;
            last[0] = tokens;
        };
        try {
            reader.read(body, meter);
        } catch (JsonProcessingException e) {
            // too deep, or not JSON: what was built until then was paid for, which is all this test asks
            return;
        }
        assertThat(last[0]).as("tokens paid for at the end").isGreaterThanOrEqualTo(nodes.made);
        if (!json.contains("managedFields") && !json.contains(ReviewReader.LAST_APPLIED)) {
            assertThat(last[0]).as("tokens paid for at the end, nothing skipped").isEqualTo(tokens(body));
        }
        assertThat(nodes.calls).as("payments").isLessThanOrEqualTo(2 + (int) (last[0] / ReviewReader.STEP));
    }

    /** Every token of the body, as Jackson reads them. */
    private static long tokens(byte[] body) throws IOException {
        long n = 0;
        try (JsonParser p = JSON.getFactory().createParser(body)) {
            while (p.nextToken() != null) {
                n++;
            }
        }
        return n;
    }
}
