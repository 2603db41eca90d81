package dev.customs.report;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;

import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventSeries;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Posts {@code events.k8s.io/v1} Events: type Warning, reason PolicyViolation, reportingController
 * {@code customs.dev/webhook}.
 */
public final class KubernetesEventSink implements EventSink {

    public static final String REASON = "PolicyViolation";
    public static final String CONTROLLER = "customs.dev/webhook";
    /** The API limits an Event's note to 1 KiB. */
    public static final int MAX_NOTE = 1024;

    /** Kubernetes MicroTime: RFC 3339 with microseconds, {@code Z} for UTC. */
    private static final DateTimeFormatter MICRO = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").appendOffsetId().toFormatter()
            .withZone(java.time.ZoneOffset.UTC);

    private final KubernetesClient client;
    private final String instance;

    public KubernetesEventSink(KubernetesClient client, String instance) {
        this.client = client;
        this.instance = instance;
    }

    @Override
    public String create(ViolationReport r, Instant now) {
        String base = r.regarding().getName() == null ? "customs" : r.regarding().getName();
        if (base.length() > 200) {
            base = base.substring(0, 200);
        }
        String name = base + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        Event e = new EventBuilder().withNewMetadata().withName(name).withNamespace(r.eventNamespace()).endMetadata()
                .withType("Warning").withReason(REASON).withAction(r.action()).withReportingController(CONTROLLER)
                .withReportingInstance(instance).withRegarding(r.regarding()).withNote(note(r))
                .withEventTime(micro(now)).build();
        client.events().v1().events().inNamespace(r.eventNamespace()).resource(e).create();
        return name;
    }

    @Override
    public void addToSeries(String namespace, String eventName, int count, Instant now) {
        client.events().v1().events().inNamespace(namespace).withName(eventName).edit(e -> {
            e.setSeries(new EventSeries(count, micro(now)));
            return e;
        });
    }

    static String note(ViolationReport r) {
        String note = String.join("\n", r.lines());
        if (note.length() <= MAX_NOTE) {
            return note;
        }
        return note.substring(0, MAX_NOTE - 1) + "…";
    }

    private static MicroTime micro(Instant t) {
        return new MicroTime(MICRO.format(t.truncatedTo(ChronoUnit.MICROS)));
    }
}
