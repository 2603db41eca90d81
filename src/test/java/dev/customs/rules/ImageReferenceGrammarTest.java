package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The hand-written checks of {@link ImageReference}'s grammar accept exactly what the regular expressions of the
 * distribution grammar accept: every string up to a few characters over an alphabet that exercises each rule, and the
 * length limits.
 */
class ImageReferenceGrammarTest {

    private static final String C = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    static final Pattern DOMAIN = Pattern.compile("(?:" + C + "(?:\\." + C + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    /** Compares on every string of up to {@code max} characters of {@code alphabet}; returns how many matched. */
    private static int every(String alphabet, int max, Pattern expected, Predicate<String> actual) {
        int matched = 0;
        char[] buf = new char[max];
        int[] idx = new int[max];
        for (int len = 0; len <= max; len++) {
            java.util.Arrays.fill(idx, 0);
            while (true) {
                for (int i = 0; i < len; i++) {
                    buf[i] = alphabet.charAt(idx[i]);
                }
                String s = new String(buf, 0, len);
                boolean want = expected.matcher(s).matches();
                assertThat(actual.test(s)).as("\"%s\"", s).isEqualTo(want);
                matched += want ? 1 : 0;
                int i = len - 1;
                while (i >= 0 && ++idx[i] == alphabet.length()) {
                    idx[i--] = 0;
                }
                if (i < 0) {
                    break;
                }
            }
        }
        return matched;
    }

    @Test
    void domain() {
        assertThat(every("a0Z-.:[]f", 6, DOMAIN, ImageReference::domain)).isGreaterThan(1000);
        for (String s : new String[] { "127.0.0.1:5000", "[::1]:5000", "[fe80::1]", "registry-1.docker.io",
                "localhost:", "a..b", "-a", "a-", "[]", "[g]", "a:1:2", "a.b.c:65535" }) {
            assertThat(ImageReference.domain(s)).as(s).isEqualTo(DOMAIN.matcher(s).matches());
        }
    }

    @Test
    void component() {
        assertThat(every("a0_.-A@", 7, COMPONENT, ImageReference::component)).isGreaterThan(1000);
    }

    @Test
    void tag() {
        assertThat(every("a_.-Z9@", 6, TAG, ImageReference::tag)).isGreaterThan(1000);
        for (int n = 126; n <= 130; n++) {
            String s = "v" + "1".repeat(n - 1);
            assertThat(ImageReference.tag(s)).as("%d characters", n).isEqualTo(TAG.matcher(s).matches());
        }
    }

    @Test
    void sha256() {
        String hex = "0123456789abcdef".repeat(4);
        for (String s : new String[] { "sha256:" + hex, "sha256:" + hex.toUpperCase(), "sha256:" + hex + "0",
                "sha256:" + hex.substring(1), "sha512:" + hex, "sha256:" + hex.replace('f', 'g'), "" }) {
            assertThat(ImageReference.sha256(s)).as(s).isEqualTo(SHA256.matcher(s).matches());
        }
    }
}
