package dev.customs.bench;

import java.io.IOException;
import java.io.Reader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.bench.Hey.Run;
import dev.customs.bench.Payloads.Payload;
import dev.customs.image.registry.RegistryProxy;
import dev.customs.image.registry.TestRegistry;

/**
 * The audit at Kubernetes' scalability limit: Customs against a {@link SyntheticApiServer} serving 150,000 pods and
 * 50,000 workloads. Two processes:
 *
 * <ol>
 * <li><b>unpaced</b> ({@code objects-per-second=0}, {@code images-per-second=0}): the audit's own cost. Two runs, the
 * first writing every report, the second finding nothing changed. Heap: sampled from the metrics every 250 ms (used,
 * garbage included), and live after a forced full GC ({@code jcmd GC.run}, then {@code GC.heap_info}) before the
 * audit and twice during it, when most of the pods have been read.</li>
 * <li><b>paced</b> (the chart's defaults): admission of {@code pod-10.json} at a fixed rate while the audit runs and
 * after it has finished, with the registry requests the audit caused and the time it yielded to admission; then, in a
 * third process with {@code max-yield=0}, the same admission while an audit that does not yield runs.</li>
 * </ol>
 * {@code BENCH_AUDIT=paced} leaves out the unpaced process (a quarter of an hour), to check the audit's effect on
 * admission alone.
 */
final class AuditScale {

    /**
     * The stated bound: the audit must not raise admission's p99 at the fixed rate by more than this. A millisecond is
     * half the warm p99 target again (2 ms) and a ten-thousandth of the API server's webhook timeout: nobody applying
     * a manifest can tell, while an audit that competed with reviews for the CPU shows as several.
     */
    static final double TARGET_P99_INCREASE_MS = 1.0;

    /**
     * How long after one audit the next starts ({@code customs.audit.interval}). Admission is measured while the first
     * runs, while the second runs, and without an audit in the gap after the second. The second is the audit as a
     * long-running replica runs it, every interval with its code compiled; the first of a process also has the JIT
     * compiling it, and is shown apart. Longer than the {@link #RUNS} runs after the second take (each with the
     * admission before it), so that they end before the third starts.
     */
    static final String SECOND_AUDIT_AFTER = "100s";

    /** The payload admission sends while the audit runs: the bench's heaviest review, ten containers. */
    static final String ADMISSION_PAYLOAD = "pod-10";
    /** The stated bound: the live heap the audit adds at the scalability limit. */
    static final double TARGET_LIVE_HEAP_MIB = 64;

    private static final Pattern HEAP_USED = Pattern
            .compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+(\\S+)");
    private static final Pattern HEAP_MAX = Pattern
            .compile("(?m)^jvm_memory_max_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+(\\S+)");
    private static final Pattern GENERATION = Pattern.compile("(?m)generation\\s+total \\d+K, used (\\d+)K");

    /** What one audit run cost. */
    record AuditRun(double seconds, Map<String, Long> traffic, double objects, Map<String, Double> reports) {
    }

    /** Heap figures of the unpaced process, MiB. */
    record Heap(double liveBefore, double liveDuring, double peakUsed, double max, double peakRss) {
    }

    /**
     * Admission latency while the audit runs and after.
     *
     * @param duringAudit whether the audit was still running when the run while it runs ended (else that run is not
     *        what it claims)
     * @param yieldedSeconds what the audit yielded to admission up to the end of the run while it runs
     * @param withoutYield admission while an audit with {@code max-yield=0} runs; null when not measured
     * @param withoutYieldDuringAudit whether that audit was still running when that run ended
     * @param duringFirst admission while the process's first audit runs, its code still being compiled by the JIT
     * @param duringFirstAudit whether the first audit was still running when that run ended
     */
    record Admission(String payload, Run during, Run after, long registryRequests, double auditSeconds, int images,
            double peakRss, boolean duringAudit, double yieldedSeconds, Run withoutYield,
            boolean withoutYieldDuringAudit, Run duringFirst, boolean duringFirstAudit) {
    }

    /** Heap samples of one run. */
    private static final class Sampling {
        double peak;
        final List<Double> live = new ArrayList<>();
    }

    private final Bench.Env env;
    private final Bench.Settings settings;
    private final Hey hey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();

    AuditScale(Bench.Env env, Bench.Settings settings, Hey hey) {
        this.env = env;
        this.settings = settings;
        this.hey = hey;
    }

    /** Runs both processes and adds their figures to the report. */
    void run(TestRegistry registry, RegistryProxy proxy, List<Payload> payloads, Map<String, String> production,
            Report report) throws Exception {
        Bench.progress("audit at scale: pushing the images only the audit uses");
        BenchImages.push(registry, "audit");
        List<String> images = new ArrayList<>();
        for (BenchImages.Image i : BenchImages.ALL) {
            images.add(proxy.authority() + "/" + i.ref());
            images.add(proxy.authority() + "/audit/" + i.ref());
        }
        Payload pod = payloads.get(0);
        SyntheticCluster cluster = new SyntheticCluster(mapper.readTree(pod.body()).at("/request/object"), images);
        try (SyntheticApiServer api = new SyntheticApiServer(cluster)) {
            Map<String, String> overrides = new LinkedHashMap<>(production);
            overrides.put("kubernetes.master", api.url());
            overrides.put("kubernetes.auth.tryKubeConfig", "false");
            overrides.put("kubernetes.auth.tryServiceAccount", "false");
            overrides.put("kubernetes.namespace", "customs");

            Payload admission = payloads.stream().filter(p -> p.name().equals(ADMISSION_PAYLOAD)).findFirst()
                    .orElse(pod);
            boolean pacedOnly = "paced".equals(System.getenv("BENCH_AUDIT"));
            if (!pacedOnly) {
                unpaced(api, overrides, pod, report);
            }

            Bench.progress("audit at scale, paced as the chart configures it, with admission of " + admission.name()
                    + " at " + settings.rate() + "/s");
            api.reset();
            // the second audit starts SECOND_AUDIT_AFTER after the first ended: admission is measured after the first
            // in that gap, and while the second runs
            Map<String, String> paced = new LinkedHashMap<>(overrides);
            paced.put("customs.audit.interval", SECOND_AUDIT_AFTER);
            try (CustomsProcess c = CustomsProcess.start("audit-paced", env, paced, pod.file())) {
                awaitAuditStart(c, api, payloads);
                proxy.reset();
                long t0 = System.nanoTime();
                Run first = admissionRun(c, admission, "audit-during-first");
                boolean duringFirst = lastRun(c) == 0;
                AuditRun firstRun = awaitRun(c, api, 0, t -> {
                });
                long registryRequests = proxy.seen().size();
                double auditSeconds = (System.nanoTime() - t0) / 1e9;
                double firstEnded = lastRun(c);
                awaitNextAudit(api);
                double yielded0 = metric(c, "customs_audit_yielded_seconds_total");
                Run during = admissionRun(c, admission, "audit-during");
                boolean duringAudit = lastRun(c) == firstEnded;
                double yielded = metric(c, "customs_audit_yielded_seconds_total") - yielded0;
                Bench.progress(String.format(Locale.ROOT, "  the second audit yielded %.1f s to admission meanwhile%s",
                        yielded, duringAudit ? "" : " (the audit had finished: this run did not overlap it)"));
                // the baseline: after the second audit, when the JIT has compiled admission and the audit for longest
                awaitRun(c, api, firstEnded, t -> {
                });
                Run after = admissionRun(c, admission, "audit-after");
                boolean afterBeforeThird = api.traffic.listRequests.get()
                        + api.traffic.metadataListRequests.get() == 0;
                double rss = c.peakRssKib() / 1024.0;
                c.close();

                Map<String, String> noYield = new LinkedHashMap<>(paced);
                noYield.put("customs.audit.max-yield", "0");
                Bench.progress("audit at scale, paced but not yielding (max-yield=0), with the same admission during "
                        + "its second audit");
                api.reset();
                Run withoutYield;
                boolean withoutYieldDuringAudit;
                try (CustomsProcess n = CustomsProcess.start("audit-no-yield", env, noYield, pod.file())) {
                    awaitAuditStart(n, api, payloads);
                    awaitRun(n, api, 0, t -> {
                    });
                    double ended = lastRun(n);
                    awaitNextAudit(api);
                    withoutYield = admissionRun(n, admission, "audit-during-no-yield");
                    withoutYieldDuringAudit = lastRun(n) == ended;
                }
                report.auditAdmission(new Admission(admission.name(), during, after, registryRequests,
                        auditSeconds, images.size(), rss, duringAudit && afterBeforeThird, yielded, withoutYield,
                        withoutYieldDuringAudit, first, duringFirst), firstRun, settings.rate(), cpus, pace());
            }
        }
    }

    /** The chart's pacing of the audit, as the production configuration sets it. */
    private String pace() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(env.config())) {
            p.load(r);
        }
        return p.getProperty("customs.audit.objects-per-second", "?") + " objects/s, "
                + p.getProperty("customs.audit.images-per-second", "?") + " new images/s, max-yield "
                + p.getProperty("customs.audit.max-yield", "?");
    }

    /** Waits until the next audit run lists its first page (traffic was reset when the previous one ended). */
    private static void awaitNextAudit(SyntheticApiServer api) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (api.traffic.listRequests.get() + api.traffic.metadataListRequests.get() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the second audit run did not start within 5 minutes");
            }
            Thread.sleep(100);
        }
    }

    /** Warms Customs up with every payload, then waits for the audit's first list request. */
    private void awaitAuditStart(CustomsProcess c, SyntheticApiServer api, List<Payload> payloads) throws Exception {
        hey.mixed("warmup-" + c.name, c.validate(), payloads.stream().map(Payload::file).toList(),
                3 * settings.warmupSeconds(), settings.concurrency() / payloads.size());
        while (api.traffic.listRequests.get() + api.traffic.metadataListRequests.get() == 0) {
            Thread.sleep(100);
        }
    }

    /**
     * Admission at the fixed rate, measured (while an audit runs, or after it for the baseline), after {@link #RECONNECT_S} of
     * the same rate on connections of its own: a set of new connections deoptimizes TLS and Netty code that the
     * previous set's handshakes left behind, and the recompilation would otherwise fall into the measured run of
     * whichever comes first, during or after.
     */
    private Run admissionRun(CustomsProcess c, Payload admission, String label) throws Exception {
        return measured(c, label, () -> {
            List<Run> runs = new ArrayList<>();
            for (int i = 1; i <= RUNS; i++) {
                hey.fixedRate(label + "-reconnect-" + i, c.validate(), admission.file(), settings.rate(),
                        settings.rate() * RECONNECT_S, settings.rateConnections());
                runs.add(hey.fixedRate(label + "-" + i, c.validate(), admission.file(), settings.rate(),
                        settings.rate() * settings.rateSeconds(), settings.rateConnections()));
            }
            return Run.pooled(label, runs);
        });
    }

    /** Seconds of admission on other connections before each measured run. */
    static final int RECONNECT_S = 2;

    /**
     * Measured runs per condition, their latencies pooled: a p99 of one 20 s run at 200/s rests on its 40 slowest
     * requests, and moved by more than a millisecond between runs of the same process.
     */
    static final int RUNS = 3;

    /** A run of admission, with where the machine's CPU went meanwhile and the pauses Customs' collector took. */
    private Run measured(CustomsProcess c, String label, RunSupplier run) throws Exception {
        Bench.hook("start", label, c.pid());
        Map<String, Double> customsBefore = Proc.threadCpu(c.pid());
        Map<String, Double> benchBefore = Proc.threadCpu(ProcessHandle.current().pid());
        double heyBefore = Proc.childrenCpuSeconds();
        String gcBefore = scrape(c);
        long t0 = System.nanoTime();
        Run r = run.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> customs = delta(customsBefore, Proc.threadCpu(c.pid()));
        Map<String, Double> bench = delta(benchBefore, Proc.threadCpu(ProcessHandle.current().pid()));
        String gcAfter = scrape(c);
        Bench.hook("stop", label, c.pid());
        Cpu cpu = new Cpu(seconds, group(customs), busiestOther(customs, seconds),
                bench.entrySet().stream().filter(e -> e.getKey().startsWith("synthetic-api")
                        || e.getKey().startsWith("HTTP-Dispatcher")).mapToDouble(Map.Entry::getValue).sum(),
                Proc.childrenCpuSeconds() - heyBefore,
                samples(gcAfter, "jvm_gc_pause_seconds_count").sum()
                        - samples(gcBefore, "jvm_gc_pause_seconds_count").sum(),
                samples(gcAfter, "jvm_gc_pause_seconds_sum").sum() - samples(gcBefore, "jvm_gc_pause_seconds_sum").sum(),
                samples(gcAfter, "jvm_gc_pause_seconds_max").max().orElse(0));
        cpus.put(label, cpu);
        Bench.progress(String.format(Locale.ROOT, "  %s: p50 %.2f ms, p99 %.2f ms; CPU %s", label,
                r.percentile(50), r.percentile(99), cpu.describe()));
        return r;
    }

    @FunctionalInterface
    private interface RunSupplier {
        Run get() throws Exception;
    }

    /**
     * Where the CPU went during one admission run, in cores (CPU seconds per second): Customs' threads by part, the
     * synthetic API server's threads in the bench's JVM, and hey; with the collector's pauses in Customs.
     */
    record Cpu(double seconds, Map<String, Double> customs, String busiestOther, double apiServer, double hey,
            double gcPauses, double gcPauseSeconds, double gcPauseMaxSeconds) {

        String describe() {
            StringBuilder b = new StringBuilder();
            customs.forEach((part, s) -> b.append(part).append(' ').append(cores(s)).append(", "));
            b.append("other by thread: ").append(busiestOther).append(", ");
            return b + "synthetic API server " + cores(apiServer) + ", hey " + cores(hey) + String.format(Locale.ROOT,
                    " (cores); collector: %.0f pauses, %.0f ms in all, longest recent %.1f ms",
                    gcPauses, gcPauseSeconds * 1000, gcPauseMaxSeconds * 1000);
        }

        private String cores(double cpuSeconds) {
            return String.format(Locale.ROOT, "%.3f", cpuSeconds / seconds);
        }
    }

    /** What each labelled run cost the machine, in the order run. */
    final Map<String, Cpu> cpus = new LinkedHashMap<>();

    private static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0.0)));
        return d;
    }

    /** Customs' threads by what they do. */
    static String customsThread(String name) {
        if (name.startsWith("customs-audit")) {
            return "audit thread";
        }
        if (name.startsWith("vert.x-eventloo")) {
            return "event loops";
        }
        if (name.startsWith("VM Thread") || name.startsWith("GC ")) {
            return "collector";
        }
        if (name.contains("CompilerThre")) { // C1 and C2 CompilerThread<n>; JDK 17 names some "CN CompilerThre"
            return "JIT";
        }
        return "other";
    }

    /**
     * The busiest of Customs' "other" threads, by name without its number (/proc keeps 15 characters of it), in cores:
     * which part of the process that column is.
     */
    static String busiestOther(Map<String, Double> threads, double seconds) {
        Map<String, Double> byName = new LinkedHashMap<>();
        threads.forEach((name, s) -> {
            if (customsThread(name).equals("other")) {
                byName.merge(name.replaceAll("[-#]?\\d+$", ""), s, Double::sum);
            }
        });
        return byName.entrySet().stream().sorted(Map.Entry.<String, Double> comparingByValue().reversed()).limit(4)
                .filter(e -> e.getValue() / seconds >= 0.005)
                .map(e -> String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue() / seconds))
                .collect(Collectors.joining(", "));
    }

    private static Map<String, Double> group(Map<String, Double> threads) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String p : List.of("event loops", "audit thread", "collector", "JIT", "other")) {
            out.put(p, 0.0);
        }
        threads.forEach((name, s) -> out.merge(customsThread(name), s, Double::sum));
        return out;
    }

    /** The unpaced process: the audit's own cost, two runs, with its heap. */
    private void unpaced(SyntheticApiServer api, Map<String, String> overrides, Payload pod, Report report)
            throws Exception {
        Map<String, String> unpaced = new LinkedHashMap<>(overrides);
        unpaced.put("customs.audit.objects-per-second", "0");
        unpaced.put("customs.audit.images-per-second", "0");
        unpaced.put("customs.audit.interval", "20s");
        Bench.progress("audit at scale, unpaced: " + SyntheticCluster.PODS + " pods, " + SyntheticCluster.WORKLOADS
                + " workloads, two runs");
        AuditRun first;
        AuditRun second;
        Heap heap;
        try (CustomsProcess c = CustomsProcess.start("audit-unpaced", env, unpaced, pod.file())) {
            api.reset();
            double before = liveHeapMib(c);
            Sampling sampling = new Sampling();
            long listed = SyntheticCluster.RESOURCES.values().stream().mapToLong(SyntheticCluster.Resource::count)
                    .sum();
            first = awaitRun(c, api, 0, t -> {
                sampling.peak = Math.max(sampling.peak, heapMib(c, HEAP_USED));
                long seen = api.traffic.listedObjects.get();
                // twice: half-way, and with most pods read, when the hashes of nearly every report are held
                if (sampling.live.size() == 0 && seen > listed / 2
                        || sampling.live.size() == 1 && seen > listed * 9 / 10) {
                    sampling.live.add(liveHeapMib(c));
                }
            });
            second = awaitRun(c, api, lastRun(c),
                    t -> sampling.peak = Math.max(sampling.peak, heapMib(c, HEAP_USED)));
            heap = new Heap(before, sampling.live.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                    sampling.peak, heapMib(c, HEAP_MAX),
                    c.peakRssKib() / 1024.0);
        }
        report.auditScale(first, second, heap, api.reports("reports"), api.unexpected());
    }

    /** Waits for an audit run that finishes after {@code previous} (Unix seconds), calling {@code tick} meanwhile. */
    private AuditRun awaitRun(CustomsProcess c, SyntheticApiServer api, double previous,
            java.util.function.DoubleConsumer tick) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        while (System.nanoTime() < deadline) {
            double last = lastRun(c);
            if (last > previous && last > 0) {
                SyntheticApiServer.Traffic t = api.reset();
                AuditRun run = new AuditRun(metric(c, "customs_audit_last_run_duration_seconds"), t.snapshot(),
                        sum(c, "customs_audit_objects"), reports(c));
                Bench.progress(String.format(Locale.ROOT, "  audit run: %.1f s, %.0f objects, API %s", run.seconds(),
                        run.objects(), run.traffic()));
                return run;
            }
            tick.accept(last);
            Thread.sleep(250);
        }
        throw new IllegalStateException("the audit did not finish within 20 minutes; see " + c.name);
    }

    private double lastRun(CustomsProcess c) throws IOException, InterruptedException {
        return metric(c, "customs_audit_last_run_timestamp_seconds");
    }

    private Map<String, Double> reports(CustomsProcess c) throws IOException, InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^customs_audit_reports_total\\{[^}]*result=\"(\\w+)\"[^}]*}\\s+(\\S+)")
                .matcher(scrape(c));
        while (m.find()) {
            out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return out;
    }

    private String scrape(CustomsProcess c) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(c.metrics()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The first sample of a metric (a name, or a name and label pattern), 0 when absent. */
    private double metric(CustomsProcess c, String name) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})?\\s+(\\S+)").matcher(scrape(c));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private double sum(CustomsProcess c, String name) throws IOException, InterruptedException {
        return samples(scrape(c), name).sum();
    }

    /** The samples of a metric (every label set) in a scrape. */
    private static java.util.stream.DoubleStream samples(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})?\\s+(\\S+)").matcher(scrape);
        java.util.stream.DoubleStream.Builder b = java.util.stream.DoubleStream.builder();
        while (m.find()) {
            b.add(Double.parseDouble(m.group(1)));
        }
        return b.build();
    }

    /** The sum over the heap's pools of a memory metric (used or max), MiB. */
    private double heapMib(CustomsProcess c, Pattern metric) {
        try {
            Matcher m = metric.matcher(scrape(c));
            double s = 0;
            while (m.find()) {
                s += Math.max(0, Double.parseDouble(m.group(1)));
            }
            return s / 1048576;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The heap still in use after a full collection: jcmd GC.run, then the generations' "used" of GC.heap_info. */
    static double liveHeapMib(CustomsProcess c) {
        try {
            jcmd(c.pid(), "GC.run");
            String info = jcmd(c.pid(), "GC.heap_info");
            Matcher m = GENERATION.matcher(info);
            long kib = 0;
            while (m.find()) {
                kib += Long.parseLong(m.group(1));
            }
            return kib / 1024.0;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }
}
