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

    /** A finding whose message is exactly {@code length} characters (at least 60). */
    private static Finding finding(int i, int length, Action action) {
        String start = "[latest-tag] container \"c" + i + "\" (image app:latest) ";
        String end = ": pin it";
        String message = start + "x".repeat(length - start.length() - end.length()) + end;
        assertThat(message).hasSize(length);
        return new Finding("latest-tag", "c" + i, "app:latest", "spec.containers[" + i + "].image", message, action,
                null);
    }

    private static List<Finding> findings(int n, int length, Action action) {
        return IntStream.range(0, n).mapToObj(i -> finding(i, length, action)).toList();
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
                .startsWith("[latest-tag] ").endsWith("…");
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
            assertThat(w.subList(0, w.size() - 1)).allMatch(s -> s.startsWith("[latest-tag] "));
        }
    }

    @Test
    void sixteenFullWarningsFillExactly4096() {
        assertThat(warnings(16, 256)).hasSize(16).allMatch(s -> s.startsWith("[latest-tag] ") && s.length() == 256);
        assertThat(warnings(17, 256)).hasSize(16).last().isEqualTo("[customs] 2 more warnings not shown");
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
