package dev.customs.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.customs.policy.Decision.Finding;

/** {@link Decision}: what is denied, and warnings that fit the apiserver's limits (256 each, 4096 in all). */
class DecisionTest {

    /** A finding of {@code rule} whose message is exactly {@code length} characters (at least 60). */
    private static Finding finding(String rule, int i, int length, Action action) {
        String start = "[" + rule + "] container \"c" + i + "\" (image app:latest) ";
        String end = ": pin it";
        String message = start + "x".repeat(length - start.length() - end.length()) + end;
        assertThat(message).hasSize(length);
        return new Finding(rule, "c" + i, "app:latest", "spec.containers[" + i + "].image", message, action, null);
    }

    private static Finding finding(int i, int length, Action action) {
        return finding("latest-tag", i, length, action);
    }

    /** {@code n} findings, each of a rule of its own, so only the limits of the whole answer apply. */
    private static List<Finding> findings(int n, int length, Action action) {
        return IntStream.range(0, n).mapToObj(i -> finding("rule-" + i, i, length, action)).toList();
    }

    private static List<String> warnings(int n, int length) {
        return new Decision(findings(n, length, Action.WARN)).warnings();
    }

    @Test
    void shortWarningsAreKeptWhole() {
        List<Finding> fs = findings(3, 80, Action.WARN);
        assertThat(new Decision(fs).warnings()).containsExactlyElementsOf(fs.stream().map(Finding::message).toList());
    }

    @Test
    void aLongWarningIsCutTo256() {
        assertThat(warnings(1, 1000)).singleElement().asString().hasSize(Decision.MAX_WARNING)
                .startsWith("[rule-0] ").endsWith("…");
    }

    @ParameterizedTest(name = "{0} characters each")
    @ValueSource(ints = { 60, 100, 255, 256, 257, 600 })
    void everyCountFitsTheLimitsAndSaysHowManyWereLeftOut(int length) {
        for (int n = 0; n <= 60; n++) {
            List<String> w = warnings(n, length);
            assertThat(w).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(Decision.MAX_WARNING));
            assertThat(w.stream().mapToInt(String::length).sum()).as("n=%d", n)
                    .isLessThanOrEqualTo(Decision.MAX_WARNINGS_TOTAL);
            if (w.size() == n && w.stream().noneMatch(s -> s.startsWith("[customs]"))) {
                continue;
            }
            int left = n - (w.size() - 1);
            assertThat(w.get(w.size() - 1)).as("n=%d", n)
                    .isEqualTo("[customs] " + left + " more warning" + (left > 1 ? "s" : "") + " not shown");
            assertThat(w.subList(0, w.size() - 1)).allMatch(s -> s.startsWith("[rule-"));
        }
    }

    @Test
    void sixteenFullWarningsFillExactly4096() {
        assertThat(warnings(16, 256)).hasSize(16).allMatch(s -> s.startsWith("[rule-") && s.length() == 256);
        assertThat(warnings(17, 256)).hasSize(16).last().isEqualTo("[customs] 2 more warnings not shown");
    }

    @Test
    void theFirstFindingsOfARuleAreListedAndTheRestCounted() {
        List<Finding> fs = new ArrayList<>();
        IntStream.range(0, 25).forEach(i -> fs.add(finding("run-as-root", i, 80, Action.ENFORCE)));
        fs.add(finding("host-network", 0, 80, Action.ENFORCE));
        IntStream.range(25, 37).forEach(i -> fs.add(finding("latest-tag", i, 80, Action.ENFORCE)));
        Decision d = new Decision(fs);

        List<Decision.Listed> listed = d.deniedListed();
        assertThat(listed).hasSize(10 + 1 + 1 + 10 + 1);
        assertThat(listed.subList(0, 10)).extracting(Decision.Listed::message)
                .containsExactlyElementsOf(fs.subList(0, 10).stream().map(Finding::message).toList());
        assertThat(listed.get(10)).isEqualTo(new Decision.Listed("run-as-root", null,
                "[run-as-root] and 15 more findings of this rule, not listed", 15));
        assertThat(listed.get(11).message()).isEqualTo(fs.get(25).message());
        assertThat(listed.get(22)).isEqualTo(new Decision.Listed("latest-tag", null,
                "[latest-tag] and 2 more findings of this rule, not listed", 2));
        assertThat(d.denialLines()).hasSize(23);
        assertThat(d.denied()).hasSize(38);
        assertThat(listed.stream().mapToInt(Decision.Listed::findings).sum()).isEqualTo(38);
    }

    @Test
    void aListedLineIsCut() {
        Decision d = new Decision(List.of(finding(0, 100_000, Action.ENFORCE)));
        assertThat(d.denialLines()).singleElement().asString().hasSize(Decision.MAX_LINE).endsWith("…");
    }

    @Test
    void warningsSayHowManyFindingsWereLeftOutWhateverTheRules() {
        List<Finding> fs = new ArrayList<>();
        IntStream.range(0, 40).forEach(i -> fs.add(finding("latest-tag", i, 256, Action.WARN)));
        IntStream.range(0, 40).forEach(i -> fs.add(finding("run-as-root", i, 256, Action.WARN)));
        List<String> w = new Decision(fs).warnings();
        // ten of latest-tag, the line for its other 30, five of run-as-root, then the count of what is left (35)
        assertThat(w).hasSize(17);
        assertThat(w.get(10)).isEqualTo("[latest-tag] and 30 more findings of this rule, not listed");
        assertThat(w.get(16)).isEqualTo("[customs] 35 more warnings not shown");
        assertThat(w.stream().mapToInt(String::length).sum()).isLessThanOrEqualTo(Decision.MAX_WARNINGS_TOTAL);
    }

    @Test
    void onlyWarnedFindingsWarnAndOnlyEnforcedOnesDeny() {
        List<Finding> all = new ArrayList<>();
        all.add(finding(0, 60, Action.ENFORCE));
        all.add(finding(1, 60, Action.WARN));
        all.add(finding(2, 60, Action.AUDIT));
        all.add(new Finding("host-network", null, null, "spec.hostNetwork", "[host-network] x: y", Action.ENFORCE,
                "system-agents"));
        all.add(new Finding("image-unverified", "c4", "gone:1.0", "spec.containers[4].image",
                "[image-unverified] gone:1.0: not found (container \"c4\" not checked for oci-labels)", Action.WARN,
                null));
        Decision d = new Decision(all);

        assertThat(d.allowed()).isFalse();
        assertThat(d.denialLines()).containsExactly(all.get(0).message());
        assertThat(d.warnings()).containsExactly(all.get(1).message(), all.get(4).message());
        assertThat(d.auditAnnotations()).containsExactly(entry(Decision.AUDIT_ANNOTATION, all.get(2).message()));
        assertThat(d.exempted()).extracting(Finding::rule).containsExactly("host-network");
        assertThat(d.exempted().get(0).actionLabel()).isEqualTo("exempted");
    }

    @Test
    void anExemptedEnforceFindingDoesNotDeny() {
        Finding f = new Finding("host-network", null, null, "spec.hostNetwork", "[host-network] x: y",
                Action.ENFORCE, "system-agents");
        assertThat(new Decision(List.of(f)).allowed()).isTrue();
        assertThat(Decision.ALLOW.allowed()).isTrue();
        assertThat(Decision.ALLOW.warnings()).isEmpty();
        assertThat(Decision.ALLOW.auditAnnotations()).isEmpty();
    }
}
