package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;

/**
 * One attack on the packaged Customs, run as the chart runs it, and the bounds it must stay within: the set-up (a
 * real registry with a clean image, Customs started with the chart's JVM, memory limit and configuration, warmed up,
 * its heap after GC measured), an unrelated {@link Probe} during the attack, and afterwards:
 * <ul>
 * <li>the heap after a full collection at most the attack's allowance above where it started;</li>
 * <li>the peak resident memory (VmHWM) under the chart's container memory limit;</li>
 * <li>every probe answered right, no 5xx, the probe's p99 within {@link #P99_BOUND};</li>
 * <li>the process alive and ready.</li>
 * </ul>
 */
final class Siege implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Siege.class);

    /**
     * The p99 an unrelated review may reach while an attack runs: a tenth of the API server's default webhook timeout
     * (10 s). A warm review takes a few milliseconds; what an attack may add is queueing behind its own work, never
     * the registry budget (3 s) or a collection that thrashes.
     */
    static final Duration P99_BOUND = Duration.ofSeconds(1);

    static final String NAMESPACE = "attacker";
    static final String OTHER_TEAM = "other-team";

    final String name;
    final TestRegistry registry;
    final ProductionProcess customs;
    /** The other team's image: clean, pinned by digest, cached by the warm-up. */
    final String cleanImage;
    final long heapBefore;

    private Siege(String name, TestRegistry registry, ProductionProcess customs, String cleanImage, long heapBefore) {
        this.name = name;
        this.registry = registry;
        this.customs = customs;
        this.cleanImage = cleanImage;
        this.heapBefore = heapBefore;
    }

    /** Starts the registry and Customs with {@code overrides} besides the chart's settings, and warms it up. */
    static Siege start(String name, Map<String, String> overrides) throws Exception {
        return start(name, overrides, List.of());
    }

    static Siege start(String name, Map<String, String> overrides, List<String> jvmOptions) throws Exception {
        return start(name, registry -> overrides, jvmOptions);
    }

    /** With overrides that depend on the registry (a proxy in front of it, say). */
    static Siege start(String name, Function<TestRegistry, Map<String, String>> overrides, List<String> jvmOptions)
            throws Exception {
        TestRegistry registry = TestRegistry.start(TestRegistry.Auth.NONE, false, Path.of("target", "reliability",
                name));
        try {
            TestRegistry.Pushed p = registry.pushImage("other-team/app", "1.0", TestImages.config().user("10001")
                    .labels(TestImages.OCI_LABELS).entrypoint("/app/server"), true, Map.of());
            String clean = registry.authority() + "/other-team/app@" + p.digest();
            Map<String, String> all = new LinkedHashMap<>();
            all.put("customs.registry.insecure-registries", registry.authority());
            all.putAll(overrides.apply(registry));
            ProductionProcess customs = ProductionProcess.start(name, all, jvmOptions);
            try {
                try (Probe warmUp = new Probe(customs, OTHER_TEAM, clean, Duration.ofMillis(2))) {
                    Thread.sleep(3000);
                }
                return new Siege(name, registry, customs, clean, customs.heapAfterGc());
            } catch (Exception | Error e) {
                customs.close(); // started, but the siege never will be: its process must not outlive the test
                throw e;
            }
        } catch (Exception | Error e) {
            registry.close();
            throw e;
        }
    }

    /** The other team's review, every 20 ms, on a connection opened now. */
    Probe probe() {
        return new Probe(customs, OTHER_TEAM, cleanImage, Duration.ofMillis(20));
    }

    /**
     * Asserts the bounds after the attack, with {@code heapAllowance} bytes the attack may leave in the heap after GC
     * (what it may legitimately keep: cached images, remembered Events), and logs the figures.
     */
    void assertHeld(Probe probe, long heapAllowance, String what) throws Exception {
        probe.close();
        long heapAfter = customs.heapAfterGc();
        long peak = customs.peakRss();
        long limit = customs.chart.memoryLimit();
        LOG.infof("[figure] %s: %s; unrelated reviews: %d, p99 %d ms, max %d ms, %d 5xx, %d wrong; heap after GC "
                + "%.1f MiB before, %.1f MiB after (allowance %.1f MiB); peak RSS %.1f MiB of the %.0f MiB limit",
                name, what, probe.count(), probe.p99Millis(), probe.maxMillis(), probe.serverErrors.get(),
                probe.wrong.size(), mib(heapBefore), mib(heapAfter), mib(heapAllowance), mib(peak), mib(limit));

        assertThat(customs.alive()).as("Customs is still running; log:%n%s", tail()).isTrue();
        assertThat(customs.ready()).as("Customs is ready").isTrue();
        assertThat(probe.serverErrors.get()).as("5xx answers to the unrelated review").isZero();
        assertThat(probe.wrong).as("unrelated reviews not answered right").isEmpty();
        assertThat(probe.count()).as("unrelated reviews answered during the attack").isGreaterThan(10);
        assertThat(probe.p99Millis()).as("p99 of the unrelated review, ms").isLessThanOrEqualTo(P99_BOUND.toMillis());
        assertThat(heapAfter - heapBefore).as("growth of the heap after GC, bytes").isLessThanOrEqualTo(heapAllowance);
        assertThat(peak).as("peak resident memory, bytes (limit %d)", limit).isLessThan(limit);
        assertThat(customs.log()).as("the log").doesNotContain("java.lang.OutOfMemoryError")
                .doesNotContain("ERROR");
        // and it still answers a new connection
        try (Probe after = new Probe(customs, OTHER_TEAM, cleanImage, Duration.ofSeconds(10))) {
            assertThat(after.wrong).as("a review after the attack").isEmpty();
        }
    }

    private String tail() {
        String log = customs.log();
        return log.length() > 8000 ? log.substring(log.length() - 8000) : log;
    }

    static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    @Override
    public void close() throws Exception {
        try {
            customs.close();
        } finally {
            registry.close();
        }
    }
}
