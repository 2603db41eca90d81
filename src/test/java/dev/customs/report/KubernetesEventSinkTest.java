package dev.customs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

/**
 * What the API server's Event validation requires of what Customs writes (checked for real, against kube-apiserver, in
 * EventsProcessIT): a note of at most 1024 bytes, and a name that is a DNS subdomain.
 */
class KubernetesEventSinkTest {

    /** RFC 1123 subdomain, as the API server checks object names. */
    private static final String DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

    private static ViolationReport report(List<String> lines) {
        return new ViolationReport(new ObjectReferenceBuilder().withKind("Pod").withName("p").withNamespace("ns")
                .build(), "ns", "Denied", new TreeSet<>(), new TreeSet<>(), lines);
    }

    @Test
    void aShortNoteIsKeptWhole() {
        assertThat(KubernetesEventSink.note(report(List.of("[a] one", "[b] two")))).isEqualTo("[a] one\n[b] two");
    }

    @Test
    void aNoteOfExactly1024BytesIsKeptWhole() {
        String line = "é".repeat(512);
        assertThat(KubernetesEventSink.note(report(List.of(line)))).isEqualTo(line);
    }

    @ParameterizedTest
    @ValueSource(strings = { "x", "é", "…", "😀", "x…" })
    void aLongNoteIsCutToAtMost1024BytesOnACodePointBoundary(String unit) {
        List<String> lines = IntStream.range(0, 40)
                .mapToObj(i -> "[run-as-root] container \"c" + i + "\" " + unit.repeat(30) + ": set runAsUser").toList();
        String note = KubernetesEventSink.note(report(lines));
        byte[] utf8 = note.getBytes(StandardCharsets.UTF_8);
        assertThat(utf8.length).isLessThanOrEqualTo(1024).isGreaterThan(1024 - 8);
        assertThat(note).endsWith("…");
        // no half of a surrogate pair, no replacement character after a round trip
        assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(note);
        assertThat(String.join("\n", lines)).startsWith(note.substring(0, note.length() - 1));
    }

    @Test
    void eventNamesAreDnsSubdomainsWhateverTheObjectName() {
        for (String name : List.of("web", "web-7d4b9c", "a".repeat(253), "a".repeat(199) + ".b".repeat(20),
                "x".repeat(199) + "-" + "y".repeat(60), "Upper.Case_name", "-lead", "trail.", "a..b", "a-.b")) {
            String event = KubernetesEventSink.name(name, 0x5eed5eed5eedL);
            assertThat(event).as(name).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN).endsWith(".5eed5eed5eed");
        }
        assertThat(KubernetesEventSink.name(null, 1)).isEqualTo("customs.1");
        assertThat(KubernetesEventSink.name("web-1", 255)).isEqualTo("web-1.ff");
        assertThat(KubernetesEventSink.name("", 1)).isEqualTo("customs.1");
        assertThat(KubernetesEventSink.name("---", 1)).isEqualTo("customs.1");
    }
}
