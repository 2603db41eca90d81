package dev.customs.report;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;

/**
 * Posts {@code events.k8s.io/v1} Events: type Warning, reason PolicyViolation, reportingController
 * {@code customs.dev/webhook}.
 */
public final class KubernetesEventSink implements EventSink {

    public static final String REASON = "PolicyViolation";
    public static final String CONTROLLER = "customs.dev/webhook";
    /** The API server limits an Event's note to 1024 bytes (UTF-8), and answers 422 beyond. */
    public static final int MAX_NOTE = 1024;
    /** "…" in UTF-8. */
    private static final int ELLIPSIS_BYTES = 3;
    /** How long one series update may take; the client's own request timeout applies as well. */
    private static final java.time.Duration PATCH_TIMEOUT = java.time.Duration.ofSeconds(10);
    /** A DNS subdomain, as Event names must be. */
    static final int MAX_NAME = 253;

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
        String name = name(r.regarding().getName(), ThreadLocalRandom.current().nextLong());
        Event e = new EventBuilder().withNewMetadata().withName(name).withNamespace(r.eventNamespace()).endMetadata()
                .withType("Warning").withReason(REASON).withAction(r.action()).withReportingController(CONTROLLER)
                .withReportingInstance(instance).withRegarding(r.regarding()).withNote(note(r))
                .withEventTime(micro(now)).build();
        client.events().v1().events().inNamespace(r.eventNamespace()).resource(e).create();
        return name;
    }

    /**
     * One merge patch of the series, sent as it is: the chart grants {@code create} and {@code patch} on Events, not
     * {@code get}, and fabric8's patch methods read the object first (a 403, found against a real API server).
     */
    @Override
    public void addToSeries(String namespace, String eventName, int count, Instant now) {
        String patch = "{\"series\":{\"count\":" + count + ",\"lastObservedTime\":\"" + micro(now).getTime()
                + "\"}}";
        String path = "apis/events.k8s.io/v1/namespaces/" + namespace + "/events/" + eventName;
        HttpClient http = client.getHttpClient();
        HttpResponse<String> response;
        try {
            String base = client.getMasterUrl().toString();
            response = http.sendAsync(http.newHttpRequestBuilder().uri((base.endsWith("/") ? base : base + "/") + path)
                    .method("PATCH", "application/merge-patch+json", patch).build(), String.class)
                    .get(PATCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while patching event " + eventName, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("could not patch event " + eventName + ": " + e, e);
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException("PATCH " + path + " answered " + response.code() + ": "
                    + abbreviate(response.body()));
        }
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }

    /**
     * {@code <object name>.<random hex>}, as client-go names Events, and a valid DNS subdomain whatever the object's
     * name: cut to leave room for the suffix, lower-cased, characters other than letters, digits, {@code -} and
     * {@code .} replaced, and no {@code -} or {@code .} where a label of the name would begin or end.
     */
    static String name(String objectName, long random) {
        String suffix = Long.toHexString(random & Long.MAX_VALUE);
        String base = objectName == null ? "" : objectName.toLowerCase(java.util.Locale.ROOT);
        if (base.length() > MAX_NAME - 1 - suffix.length()) {
            base = base.substring(0, MAX_NAME - 1 - suffix.length());
        }
        StringBuilder b = new StringBuilder(base.length());
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            if (alnum) {
                b.append(c);
            } else if (c == '.' && b.length() > 0 && isAlnum(b.charAt(b.length() - 1))) {
                b.append('.');
            } else if (b.length() > 0 && b.charAt(b.length() - 1) != '.') {
                b.append('-');
            }
        }
        // a label may not end in "-" (nor the name in "."), and "-." is not allowed either
        String cleaned = b.toString().replaceAll("-+\\.", ".").replaceAll("[-.]+$", "");
        return (cleaned.isEmpty() ? "customs" : cleaned) + "." + suffix;
    }

    private static boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    /**
     * The finding lines, at most {@value #MAX_NOTE} bytes in UTF-8 (the API server counts bytes): a longer note is cut
     * at a code point boundary and ends with {@code …}.
     */
    static String note(ViolationReport r) {
        String note = String.join("\n", r.lines());
        byte[] utf8 = note.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_NOTE) {
            return note;
        }
        int budget = MAX_NOTE - ELLIPSIS_BYTES;
        int bytes = 0;
        int end = 0;
        while (end < note.length()) {
            int cp = note.codePointAt(end);
            int size = utf8Length(cp);
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return note.substring(0, end) + "…";
    }

    private static int utf8Length(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        }
        if (codePoint < 0x800) {
            return 2;
        }
        return codePoint < 0x10000 ? 3 : 4;
    }

    private static MicroTime micro(Instant t) {
        return new MicroTime(MICRO.format(t.truncatedTo(ChronoUnit.MICROS)));
    }
}
