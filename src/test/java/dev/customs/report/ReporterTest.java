package dev.customs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.customs.policy.Action;
import dev.customs.policy.Decision;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

/** The Event lines of an admission decision, whether the caller hands over the denying findings as listed or not. */
class ReporterTest {

    private static final class Lines implements EventSink {
        final List<List<String>> reports = new CopyOnWriteArrayList<>();

        @Override
        public String create(ViolationReport report, Instant now) {
            reports.add(report.lines());
            return "ev" + reports.size();
        }

        @Override
        public void addToSeries(String namespace, String eventName, int count, Instant now) {
        }
    }

    private static final ObjectReference POD = new ObjectReferenceBuilder().withKind("Pod").withApiVersion("v1")
            .withNamespace("shop").withName("web").build();

    private static Decision.Finding finding(String rule, int i, Action action, String exemption) {
        return new Decision.Finding(rule, "c" + i, "img:" + i, "spec.containers[" + i + "].image",
                "[" + rule + "] container c" + i + " breaks it: fix it", action, exemption);
    }

    /** The lines an Event gets for {@code d}, reported once with the denial's listing and once without. */
    private static List<List<String>> lines(Decision d) throws InterruptedException {
        Lines sink = new Lines();
        try (EventReporter events = new EventReporter(sink, Recorder.NONE, Clock.systemUTC(), Duration.ofMinutes(10),
                10)) {
            Reporter reporter = new Reporter(Recorder.NONE, events, false);
            List<Decision.Listed> denied = d.allowed() ? List.of() : d.deniedListed();
            // different objects, so each is an Event of its own
            reporter.admitted(d, "shop", false, () -> POD, denied);
            reporter.admitted(d, "shop", false, () -> new ObjectReferenceBuilder(POD).withName("web2").build());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (sink.reports.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        return sink.reports;
    }

    private static List<String> messages(List<Decision.Listed> listed) {
        return listed.stream().map(Decision.Listed::message).toList();
    }

    @Test
    void aDenialsEventListsWhatItsAnswerDoes() throws Exception {
        List<Decision.Finding> findings = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            findings.add(finding("latest-tag", i, Action.ENFORCE, null));
        }
        findings.add(finding("run-as-root", 0, Action.ENFORCE, null));
        Decision d = new Decision(findings);
        List<List<String>> reports = lines(d);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0)).isEqualTo(reports.get(1)).isEqualTo(messages(d.deniedListed()))
                .hasSize(12).contains("[latest-tag] and 3 more findings of this rule, not listed");
    }

    @Test
    void anEventOfADenialWithWarningsAlsoListsTheWarnings() throws Exception {
        List<Decision.Finding> findings = new ArrayList<>();
        findings.add(finding("latest-tag", 0, Action.ENFORCE, null));
        findings.add(finding("oci-labels", 1, Action.WARN, null));
        findings.add(finding("run-as-root", 2, Action.ENFORCE, "exempt-ops")); // exempted: in no list
        findings.add(finding("shell-form-entrypoint", 3, Action.AUDIT, null));
        Decision d = new Decision(findings);
        List<List<String>> reports = lines(d);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0)).isEqualTo(reports.get(1)).isEqualTo(messages(Decision.listed(d.effective())))
                .hasSize(3);
    }
}
