package dev.customs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

import dev.customs.policy.Decision;
import io.fabric8.kubernetes.api.model.ObjectReference;

/**
 * Turns decisions into metrics and Events, after the answer is decided. Metrics are recorded at once (counter
 * increments); Events are only offered to the {@link EventReporter}'s queue.
 */
public final class Reporter {

    private final Recorder recorder;
    private final EventReporter events;
    private final boolean auditEvents;

    /**
     * @param recorder where metrics go
     * @param events the Event queue, or null when Events are disabled
     * @param auditEvents whether background-audit findings are posted as Events too
     */
    public Reporter(Recorder recorder, EventReporter events, boolean auditEvents) {
        this.recorder = recorder;
        this.events = events;
        this.auditEvents = auditEvents;
    }

    public Recorder recorder() {
        return recorder;
    }

    /** An admission decision: counts every finding; posts an Event unless the request is a dry run. */
    public void admitted(Decision d, String namespace, boolean dryRun, Supplier<ObjectReference> regarding) {
        for (Decision.Finding f : d.findings()) {
            recorder.violation(f.rule(), f.actionLabel(), namespace);
        }
        if (!dryRun) {
            offer(d, namespace, regarding, action(d));
        }
    }

    /** A background-audit decision: posts an Event only when audit Events are enabled. */
    public void audited(Decision d, String namespace, Supplier<ObjectReference> regarding) {
        if (auditEvents) {
            offer(d, namespace, regarding, "Audited");
        }
    }

    private void offer(Decision d, String namespace, Supplier<ObjectReference> regarding, String action) {
        List<Decision.Finding> effective = d.effective();
        if (events == null || effective.isEmpty()) {
            return;
        }
        ObjectReference ref = regarding.get();
        TreeSet<String> rules = new TreeSet<>();
        TreeSet<String> images = new TreeSet<>();
        List<String> lines = new ArrayList<>();
        for (Decision.Finding f : effective) {
            rules.add(f.rule());
            if (f.image() != null) {
                images.add(f.image());
            }
            lines.add(f.message());
        }
        String eventNamespace = ref.getNamespace() != null && !ref.getNamespace().isEmpty() ? ref.getNamespace()
                : namespace;
        events.offer(new ViolationReport(ref, eventNamespace, action, rules, images, lines));
    }

    /** Denied when anything denies, else Warned when anything warns, else Audited. */
    static String action(Decision d) {
        if (!d.allowed()) {
            return "Denied";
        }
        return d.warned().isEmpty() ? "Audited" : "Warned";
    }
}
