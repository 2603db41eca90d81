package dev.customs.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The {@link Recorder} on Micrometer, exported as Prometheus {@code customs_*} series. Label values are bounded: kinds,
 * operations, decisions, rule ids, actions, results, registry hosts, and namespaces only where asked for.
 */
public final class MicrometerRecorder implements Recorder {

    /** Buckets that resolve the 1–10 ms range where a warm review lands, and reach the 5 s webhook timeout. */
    static final Duration[] LATENCY_BUCKETS = { Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(3), Duration.ofMillis(4), Duration.ofMillis(5),
            Duration.ofMillis(6), Duration.ofMillis(8), Duration.ofMillis(10), Duration.ofMillis(15),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5) };

    private final MeterRegistry registry;
    private final boolean namespaceLabel;
    private final MultiGauge auditViolations;
    private final MultiGauge auditObjects;
    private final AtomicLong lastAuditSeconds = new AtomicLong();

    public MicrometerRecorder(MeterRegistry registry, boolean namespaceLabel) {
        this.registry = registry;
        this.namespaceLabel = namespaceLabel;
        this.auditViolations = MultiGauge.builder("customs.audit.violations")
                .description("Violations found by the last background audit, by rule and namespace")
                .register(registry);
        this.auditObjects = MultiGauge.builder("customs.audit.objects")
                .description("Workloads and standalone pods evaluated by the last background audit").register(registry);
        io.micrometer.core.instrument.Gauge.builder("customs.audit.last.run.timestamp.seconds", lastAuditSeconds,
                AtomicLong::get).description("When the last background audit finished, in Unix seconds")
                .register(registry);
    }

    @Override
    public void admission(String kind, String operation, String decision, Duration duration) {
        Counter.builder("customs.admission.requests").description("Admission reviews answered")
                .tags("kind", kind, "operation", operation, "decision", decision).register(registry).increment();
        Timer.builder("customs.admission.duration").description("Time to answer one admission review")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry).record(duration);
    }

    @Override
    public void violation(String rule, String action, String namespace) {
        Counter.Builder b = Counter.builder("customs.violations")
                .description("Findings of admission reviews, by rule and action").tags("rule", rule, "action", action);
        if (namespaceLabel) {
            b.tag("namespace", namespace == null ? "" : namespace);
        }
        b.register(registry).increment();
    }

    @Override
    public void imageResolution(String result) {
        Counter.builder("customs.image.resolutions").description("Image resolutions, by cache result")
                .tag("result", result).register(registry).increment();
    }

    @Override
    public void registryRequest(String registryHost, Duration duration) {
        Timer.builder("customs.registry.request.duration").description("HTTP requests to registries")
                .tag("registry", registryHost).register(registry).record(duration);
    }

    @Override
    public void event(String result) {
        Counter.builder("customs.events").description("Kubernetes Events, by result").tag("result", result)
                .register(registry).increment();
    }

    @Override
    public void exemptionExpired(String exemption) {
        Counter.builder("customs.exemptions.expired").description("Exemptions found past their expiry date")
                .tag("exemption", exemption).register(registry).increment();
    }

    @Override
    public void admissionRefused(String reason) {
        Counter.builder("customs.admission.refused")
                .description("Admission requests refused before evaluation: busy, timeout, too-large, bad-request")
                .tag("reason", reason).register(registry).increment();
    }

    @Override
    public void auditRun(Map<AuditKey, Integer> violations, Map<String, Integer> objects, Instant finishedAt) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        violations.forEach((k, n) -> rows.add(MultiGauge.Row.of(Tags.of("rule", k.rule(), "namespace", k.namespace()),
                n)));
        auditViolations.register(rows, true);
        List<MultiGauge.Row<?>> objectRows = new ArrayList<>();
        objects.forEach((ns, n) -> objectRows.add(MultiGauge.Row.of(Tags.of("namespace", ns), n)));
        auditObjects.register(objectRows, true);
        lastAuditSeconds.set(finishedAt.getEpochSecond());
    }
}
