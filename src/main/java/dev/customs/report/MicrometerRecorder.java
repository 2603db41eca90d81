package dev.customs.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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

    /**
     * Buckets for registry requests (exported as {@code _bucket} series for the dashboard's latency panel): from a
     * nearby registry's few milliseconds to the 2 s request timeout and the 3 s budget. Few, since the series multiply
     * by registry hosts.
     */
    static final Duration[] REGISTRY_BUCKETS = { Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5) };

    private final MeterRegistry registry;
    private final boolean namespaceLabel;
    private final MultiGauge auditViolations;
    private final MultiGauge auditObjects;
    private final AtomicLong lastAuditSeconds = new AtomicLong();
    private final AtomicLong lastAuditMillis = new AtomicLong();
    private final Timer admissionDuration;
    private final Counter auditYielded;
    /*
     * Meters by label values, registered once: a registry lookup builds the meter's id (name, tags, sorted) every time,
     * which a review would pay several times over. Label values are bounded (see the class comment), so are these.
     */
    private final Map<Labels, Counter> requests = new ConcurrentHashMap<>();
    /*
     * The series counted several times a review (a finding each, an image each) are FunctionCounters over adders: an
     * increment is an add to a LongAdder, where a Counter's goes through the composite registry to every registry's
     * meter. Registered at their first count, as Counters are.
     */
    private final Map<Labels, LongAdder> violations = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> resolutions = new ConcurrentHashMap<>();
    private final Map<String, Timer> registryRequests = new ConcurrentHashMap<>();
    private final Map<String, Counter> events = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> layerVerdicts = new ConcurrentHashMap<>();
    private final Map<String, Counter> auditReports = new ConcurrentHashMap<>();

    /** Up to three label values; {@code c} may be null. */
    private record Labels(String a, String b, String c) {
        // written out: a record's generated methods go through method handles, and these run for every finding
        @Override
        public int hashCode() {
            return (Objects.hashCode(a) * 31 + Objects.hashCode(b)) * 31 + Objects.hashCode(c);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Labels l && Objects.equals(a, l.a) && Objects.equals(b, l.b) && Objects.equals(c, l.c);
        }
    }

    private final AtomicLong auditLeader = new AtomicLong();

    // the meters of the admission path, made at their first use: one function each, not a lambda per increment
    private final Function<Labels, Counter> newRequests;
    private final Function<Labels, LongAdder> newViolations;
    private final Function<String, LongAdder> newResolutions;
    private final Function<String, LongAdder> newLayerVerdicts;

    public MicrometerRecorder(MeterRegistry registry, boolean namespaceLabel) {
        this.registry = registry;
        this.namespaceLabel = namespaceLabel;
        this.newRequests = k -> Counter.builder("customs.admission.requests").description("Admission reviews answered")
                .tags("kind", k.a(), "operation", k.b(), "decision", k.c()).register(registry);
        this.newViolations = k -> {
            LongAdder count = new LongAdder();
            FunctionCounter.Builder<LongAdder> b = FunctionCounter.builder("customs.violations", count,
                    LongAdder::doubleValue).description("Findings of admission reviews, by rule and action")
                    .tags("rule", k.a(), "action", k.b());
            if (k.c() != null) {
                b.tag("namespace", k.c());
            }
            b.register(registry);
            return count;
        };
        this.newResolutions = r -> adder("customs.image.resolutions", "Image resolutions, by cache result", r);
        this.newLayerVerdicts = r -> adder("customs.layer.verdicts", "Look-ups of cached layer verdicts, by result", r);
        this.auditViolations = MultiGauge.builder("customs.audit.violations")
                .description("Violations found by the last background audit, by rule and namespace")
                .register(registry);
        this.auditObjects = MultiGauge.builder("customs.audit.objects")
                .description("Workloads and standalone pods evaluated by the last background audit").register(registry);
        io.micrometer.core.instrument.Gauge.builder("customs.audit.leader", auditLeader, AtomicLong::get)
                .description("1 on the replica that runs the background audit (it holds the Lease), else 0")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("customs.audit.last.run.timestamp.seconds", lastAuditSeconds,
                AtomicLong::get).description("When the last background audit finished, in Unix seconds")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("customs.audit.last.run.duration.seconds", lastAuditMillis,
                ms -> ms.get() / 1000.0).description("How long the last background audit took, in seconds")
                .register(registry);
        this.auditYielded = Counter.builder("customs.audit.yielded.seconds")
                .description("Time the background audit waited for admission requests in flight to finish")
                .register(registry);
        this.admissionDuration = Timer.builder("customs.admission.duration")
                .description("Time to answer one admission review").serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    /** A counter series of {@code name} with one {@code result} label, counted by the adder returned. */
    private LongAdder adder(String name, String description, String result) {
        LongAdder count = new LongAdder();
        FunctionCounter.builder(name, count, LongAdder::doubleValue).description(description).tag("result", result)
                .register(registry);
        return count;
    }

    @Override
    public void admission(String kind, String operation, String decision, Duration duration) {
        requests.computeIfAbsent(new Labels(kind, operation, decision), newRequests).increment();
        admissionDuration.record(duration);
    }

    @Override
    public void violation(String rule, String action, String namespace) {
        String ns = namespaceLabel ? (namespace == null ? "" : namespace) : null;
        violations.computeIfAbsent(new Labels(rule, action, ns), newViolations).increment();
    }

    @Override
    public void imageResolution(String result) {
        resolutions.computeIfAbsent(result, newResolutions).increment();
    }

    @Override
    public void registryRequest(String registryHost, Duration duration) {
        registryRequests.computeIfAbsent(registryHost,
                h -> Timer.builder("customs.registry.request.duration").description("HTTP requests to registries")
                        .tag("registry", h).serviceLevelObjectives(REGISTRY_BUCKETS).register(registry))
                .record(duration);
    }

    @Override
    public void layerScan(String result, long bytes) {
        Counter.builder("customs.layer.scans").description("Layer scans for secret files, by result")
                .tag("result", result).register(registry).increment();
        if (bytes > 0) {
            Counter.builder("customs.layer.scan.bytes").baseUnit("bytes")
                    .description("Compressed layer bytes read by layer scans").register(registry).increment(bytes);
        }
    }

    @Override
    public void layerVerdicts(String result, int count) {
        if (count > 0) {
            layerVerdicts.computeIfAbsent(result, newLayerVerdicts).add(count);
        }
    }

    @Override
    public void event(String result) {
        events.computeIfAbsent(result, r -> Counter.builder("customs.events").description("Kubernetes Events, by result")
                .tag("result", r).register(registry)).increment();
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

    @Override
    public void auditDuration(Duration duration) {
        lastAuditMillis.set(duration.toMillis());
    }

    @Override
    public void auditYielded(Duration waited) {
        auditYielded.increment(waited.toNanos() / 1e9);
    }

    @Override
    public void auditReport(String result) {
        auditReports.computeIfAbsent(result, r -> Counter.builder("customs.audit.reports")
                .description("Reports handled by the background audit, by result").tag("result", r)
                .register(registry)).increment();
    }

    @Override
    public void auditLeader(boolean leading) {
        auditLeader.set(leading ? 1 : 0);
    }

    @Override
    public void auditStopped() {
        auditViolations.register(List.of(), true);
        auditObjects.register(List.of(), true);
    }
}
