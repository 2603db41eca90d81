package dev.customs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.customs.policy.Decision;
import io.fabric8.kubernetes.api.model.ObjectReference;

/**
 * Turns decisions into metrics and Events, after the answer is decided. Metrics are recorded at once (counter
 * increments); Events are only offered to the {@link EventReporter}'s queue.
 */
public final class Reporter {

    private static final Logger LOG = Logger.getLogger(Reporter.class);

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
        admitted(d, namespace, dryRun, regarding, null);
    }

    /**
     * An admission decision whose denying findings were listed for the answer already ({@link Decision#deniedListed()});
     * the Event's lines are that list when every finding acted on denies.
     */
    public void admitted(Decision d, String namespace, boolean dryRun, Supplier<ObjectReference> regarding,
            List<Decision.Listed> deniedListed) {
        for (Decision.Finding f : d.findings()) {
            recorder.violation(f.rule(), f.actionLabel(), namespace);
        }
        if (!dryRun) {
            offer(d, namespace, regarding, action(d), deniedListed);
        }
    }

    /** A background-audit decision: posts an Event only when audit Events are enabled. */
    public void audited(Decision d, String namespace, Supplier<ObjectReference> regarding) {
        if (auditEvents) {
            offer(d, namespace, regarding, "Audited", null);
        }
    }

    private void offer(Decision d, String namespace, Supplier<ObjectReference> regarding, String action,
            List<Decision.Listed> deniedListed) {
        List<Decision.Finding> effective = d.effective();
        if (events == null || effective.isEmpty()) {
            return;
        }
        ObjectReference ref = regarding.get();
        String eventNamespace = ref.getNamespace() != null && !ref.getNamespace().isEmpty() ? ref.getNamespace()
                : namespace;
        if (!postable(ref, eventNamespace)) {
            // only a request that did not come from the API server names such an object; no Event can be about it
            recorder.event("dropped");
            LOG.debugf("event dropped: the names of the object are past Kubernetes' limits (name of %d characters)",
                    ref.getName() == null ? 0 : ref.getName().length());
            return;
        }
        TreeSet<String> rules = new TreeSet<>();
        TreeSet<String> images = new TreeSet<>();
        for (Decision.Finding f : effective) {
            rules.add(f.rule());
            if (f.image() != null) {
                // the image only tells Events apart: a long one (an invalid reference may be megabytes) by its digest
                images.add(f.image().length() <= MAX_IMAGE ? f.image() : ViolationReport.digest(f.image()));
            }
        }
        // what the note can show, and no more: a report waits in the queue and must stay small
        List<String> lines = new ArrayList<>();
        int chars = 0;
        for (Decision.Listed l : covers(deniedListed, effective.size()) ? deniedListed : Decision.listed(effective)) {
            if (chars > KubernetesEventSink.MAX_NOTE) {
                break;
            }
            lines.add(l.message());
            chars += l.message().length() + 1;
        }
        events.offer(new ViolationReport(ref, eventNamespace, action, rules, images, lines,
                events.knownKey(ref, action, rules, images)));
    }

    /**
     * Whether the denying findings as listed are all {@code effective} findings: the effective findings include the
     * denying ones, in the same order, so the same count means the same findings and the same listing.
     */
    private static boolean covers(List<Decision.Listed> deniedListed, int effective) {
        if (deniedListed == null) {
            return false;
        }
        int n = 0;
        for (int i = 0; i < deniedListed.size(); i++) {
            n += deniedListed.get(i).findings();
        }
        return n == effective;
    }

    /** Images longer than this are told apart by their digest: a valid reference is shorter. */
    static final int MAX_IMAGE = 512;

    /** Whether an Event can be about {@code ref}: its names within Kubernetes' limits. */
    static boolean postable(ObjectReference ref, String namespace) {
        return within(ref.getName(), 253) && within(ref.getNamespace(), 63) && within(namespace, 63)
                && within(ref.getKind(), 63) && within(ref.getApiVersion(), 317) && within(ref.getUid(), 128);
    }

    private static boolean within(String s, int max) {
        return s == null || s.length() <= max;
    }

    /** Denied when anything denies, else Warned when anything warns, else Audited. */
    static String action(Decision d) {
        if (!d.allowed()) {
            return "Denied";
        }
        return d.warned().isEmpty() ? "Audited" : "Warned";
    }
}
