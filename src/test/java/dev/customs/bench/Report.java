package dev.customs.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import dev.customs.bench.Bench.ColdTrial;
import dev.customs.bench.Bench.Measured;
import dev.customs.bench.Hey.Run;
import dev.customs.bench.Payloads.Payload;

/** The figures of one run as Markdown, and the targets of issue 13 checked against them. */
final class Report {

    static final double TARGET_P99_MS = 2;
    /** CPU ms per review at saturation, rules on, by payload. */
    static final Map<String, Double> TARGET_CPU_MS = Map.of("pod", 0.10, "deployment", 0.12, "pod-10", 0.15);
    static final double TARGET_FLOOR_POD10_MS = 0.11;
    static final double TARGET_RATIO = 1.2;
    static final double TARGET_COLD_OWN_MS = 10;
    static final double TARGET_FIRST_ANSWER_S = 2.2;
    static final double TARGET_FIRST_ANSWER_AOT_S = 1.5;
    static final double TARGET_RSS_MIB = 300;

    private final StringBuilder header = new StringBuilder();
    private final List<String> payloadRows = new ArrayList<>();
    private final List<String> onRows = new ArrayList<>();
    private final List<String> offRows = new ArrayList<>();
    private final List<String> ratioRows = new ArrayList<>();
    private final List<String> cpuRows = new ArrayList<>();
    private final Map<String, String> processRows = new LinkedHashMap<>();
    private final List<String> coldRows = new ArrayList<>();
    private final List<String> registryRows = new ArrayList<>();
    private final StringBuilder burst = new StringBuilder();
    private String layerScan = "";
    private String dockerfile = "";
    private final List<String> targets = new ArrayList<>();
    private final Map<String, String> fullGcs = new LinkedHashMap<>();
    private final List<String> fullGcsBefore = new ArrayList<>();
    private final StringBuilder audit = new StringBuilder();
    private final List<String> auditTargets = new ArrayList<>();
    private final List<String> p99 = new ArrayList<>();
    private final List<String> throughput = new ArrayList<>();
    private final List<String> ratio = new ArrayList<>();
    private final List<String> cpu = new ArrayList<>();
    private final List<String> startUpRows = new ArrayList<>();
    private final List<String> startUpTarget = new ArrayList<>();
    private final List<String> startUpNotes = new ArrayList<>();
    private boolean cpuMet = true;
    private boolean floorMet = true;
    private String floorFigure = "not run";
    private boolean startUpMet = true;
    private final List<String> coldOwn = new ArrayList<>();
    private final Map<String, String> rss = new LinkedHashMap<>();
    private final List<String> registry = new ArrayList<>();
    private boolean p99Met = true;
    /** The fixed-rate latencies of a server that answers without reviewing, when the bench measured them. */
    private String machineLatency = "";
    /** A sentence on the proxy's own time per request, when the cold path ran. */
    private String proxyOverhead = "";
    /** A sentence on the bench client's time per review, when the cold path ran. */
    private String clientOverhead = "";
    private boolean throughputMet = true;
    private boolean ratioMet = true;
    private boolean coldMet = true;
    private boolean burstMet;
    private boolean registryMet = true;
    private String burstFigure = "not run";
    private String loadAtStart;
    private final List<String> warmUps = new ArrayList<>();
    private final List<String> references = new ArrayList<>();
    private int rate;
    private int connections;

    private static String chartOptions(Bench.Env env) {
        try {
            return CustomsProcess.chartJvmOptions(env.root());
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    void header(Bench.Env env, Bench.Settings s) {
        loadAtStart = Proc.loadAverage();
        rate = s.rate();
        connections = s.rateConnections();
        header.append("# Customs benchmark, ").append(Bench.now()).append("\n\n");
        header.append("- Commit: `").append(git(env.root(), "rev-parse", "--short", "HEAD")).append("`")
                .append(git(env.root(), "status", "--porcelain", "--untracked-files=no").isBlank() ? ""
                        : " with uncommitted changes")
                .append(", JDK ").append(System.getProperty("java.version")).append(".\n");
        header.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" × ")
                .append(Proc.cpuModel()).append(". **Shared with other work while this ran:** load average ")
                .append(loadAtStart).append(" (1, 5, 15 min) at the start, %END% at the end; the 1-minute load at "
                        + "the start of each run is in the tables. Above 2 on 2 cores, runs queue for CPU: "
                        + "figures are pessimistic and noisy.\n");
        header.append("- Customs: `java ").append(String.join(" ", CustomsProcess.JVM_FLAGS))
                .append(" -jar target/quarkus-app/quarkus-run.jar` with the chart's `JDK_JAVA_OPTIONS=")
                .append(chartOptions(env)).append("`, the chart's default configuration "
                        + "(deploy/customs.yaml), HTTPS with an openssl RSA-2048 certificate, the registry "
                        + "(docker-registry behind a counting proxy, on loopback) listed insecure"
                        + (CustomsProcess.UNPRIVILEGED.isEmpty() ? ""
                                : "; started with `" + String.join(" ", CustomsProcess.UNPRIVILEGED)
                                        + "`, so that, as in the chart's pod, no thread of it runs above nice 0")
                        + ".\n");
        CustomsProcess.Jvm warm = Bench.warmJvm();
        if (!warm.java().equals(CustomsProcess.Jvm.current().java())) {
            header.append("- **Warm and cold path run on** `").append(warm.java())
                    .append("` (BENCH_WARM_JAVA), not the bench's JDK.\n");
        }
        String extra = System.getenv("BENCH_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            header.append("- **Extra JVM flags (BENCH_JAVA_OPTS):** `").append(extra.strip()).append("`\n");
        }
        String hook = System.getenv("BENCH_HOOK");
        if (hook != null && !hook.isBlank()) {
            header.append("- **A hook ran around each measured audit-bench run and each payload's cold reviews "
                    + "(BENCH_HOOK):** `").append(hook.strip())
                    .append("`: its figures include what the hook did, a profiler say.\n");
        }
        header.append(String.format(Locale.ROOT, "- Load: hey over HTTPS keep-alive (HTTP/1.1). Warm-up: the three "
                + "payloads at once at saturation, in rounds of %9$d s on each process until its JIT compiler "
                + "threads take under 3%% of a round's CPU (at most 12 rounds: %%WARMUP%%), then two rounds of 2 s of "
                + "each payload on fresh connections before its runs, and before each measured run a wait until "
                + "the JIT's compiler threads are quiet (at most " + Bench.JIT_QUIET_MAX.toSeconds() + " s). "
                + "Saturation: %1$d connections for %2$d s, read from 2 s after hey started (its connections' TLS "
                + "handshakes are not reviews): CPU, allocation and reviews counted over those %2$d s; %10$d "
                + "rounds of it on each process, alternating which process goes first. Fixed rate: %4$d/s for %5$d s (%6$d reviews) over %7$d "
                + "single-connection hey processes started 1/%4$d s apart (one request every %8$d ms per "
                + "connection). Latencies leave out requests that opened a connection; CPU from /proc/<pid>/stat "
                + "(utime+stime) around each run.\n\n", s.concurrency(), s.saturationSeconds(), s.warmupSeconds(),
                s.rate(), s.rateSeconds(), s.rate() * s.rateSeconds(), s.rateConnections(),
                1000 * s.rateConnections() / s.rate(), 3 * s.warmupSeconds(), s.saturationRounds()));
    }

    void payload(Payload p, String on, String off) {
        long digests = p.byDigest().size();
        long multi = p.images().stream().filter(BenchImages.Image::index).count();
        payloadRows.add(row(p.name(), p.kind(), Integer.toString(p.body().length), Integer.toString(p.containers()),
                p.images().size() + " (" + digests + " by digest, " + multi + " multi-platform)", on, off));
    }

    /**
     * The warm path of one payload: its saturation rounds on each process ({@code satOnRounds.get(i)} and
     * {@code satOffRounds.get(i)} ran next to each other) and its fixed-rate runs. The headline ratio is the median of
     * the rounds' ratios; every other saturation figure is that round's.
     */
    void warm(Payload p, List<Measured> satOnRounds, Measured rateOn, List<Measured> satOffRounds, Measured rateOff,
            int expected) {
        List<Integer> rounds = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(satOnRounds.size(), satOffRounds.size()); i++) {
            rounds.add(i);
            ratios.add(satOnRounds.get(i).cpuMsPerReview() / satOffRounds.get(i).cpuMsPerReview());
        }
        int round = median(rounds, ratios::get);
        double cpu = ratios.get(round);
        Measured satOn = satOnRounds.get(round);
        Measured satOff = satOffRounds.get(round);
        onRows.add(warmRow(p, satOn, rateOn, expected));
        offRows.add(warmRow(p, satOff, rateOff, expected));
        cpuRows.add(cpuRow(p.name() + ", rules on", satOn));
        cpuRows.add(cpuRow(p.name() + ", floor", satOff));
        ratioRows.add(row(p.name(), "**" + f2(cpu) + "**",
                ratios.stream().map(Report::f2).collect(Collectors.joining(", ")), f3(satOn.cpuMsPerReview()),
                f3(satOff.cpuMsPerReview()), f1(satOn.allocatedKbPerReview()), f1(satOff.allocatedKbPerReview()),
                f2(satOff.run().throughput() / satOn.run().throughput()),
                f2(rateOn.run().percentile(50) / rateOff.run().percentile(50)),
                f2(rateOn.run().percentile(99) / rateOff.run().percentile(99))));
        Double target = TARGET_CPU_MS.get(p.name());
        if (target != null) {
            cpuMet &= satOn.cpuMsPerReview() <= target;
            this.cpu.add(p.name() + " " + f3(satOn.cpuMsPerReview()) + " ms (≤ " + f2(target) + ")");
        }
        if (p.name().equals("pod-10")) {
            floorMet = satOff.cpuMsPerReview() <= TARGET_FLOOR_POD10_MS;
            floorFigure = "pod-10 " + f3(satOff.cpuMsPerReview()) + " ms";
        }
        double p99On = rateOn.run().percentile(99);
        p99Met &= p99On <= TARGET_P99_MS;
        p99.add(p.name() + " " + f2(p99On) + " ms");
        throughput.add(p.name() + " " + f0(satOn.run().throughput()) + "/s");
        ratioMet &= cpu <= TARGET_RATIO;
        ratio.add(p.name() + " " + f2(cpu));
    }

    void machineLatencyFailed(String why) {
        machineLatency = " (the server that answers without reviewing was not measured: " + why + ")";
    }

    /** The fixed-rate run against {@link EchoServer}: what the machine and the load generator alone cost. */
    void machineLatency(Payload p, Run r) {
        machineLatency = " (under the same load, with " + p.name() + "'s body, a server that answers without "
                + "reviewing: p50 " + f2(r.percentile(50)) + ", p99 " + f2(r.percentile(99)) + ", p99.9 "
                + f2(r.percentile(99.9)) + " ms)";
    }

    /** The element with the median value: the lower of the middle two when there is an even number of them. */
    static <T> T median(List<T> items, ToDoubleFunction<T> value) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingDouble(value));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** Thread groups as Linux names them (15 characters, digits shown as N here). */
    static final String[][] THREADS = { { "vert.x-eventloo" }, { "executor-thread" }, { "VM Thread" },
            { Bench.JIT_THREADS }, { "customs-events" }, { "customs-registr" } };

    private String cpuRow(String what, Measured m) {
        List<String> cells = new ArrayList<>(List.of(what));
        double known = 0;
        for (String[] group : THREADS) {
            double us = m.usPerReview(group);
            known += us;
            cells.add(f1(us));
        }
        double total = 1000 * m.cpuMsPerReview();
        cells.add(f1(total - known));
        cells.add(f1(total));
        return row(cells.toArray(String[]::new));
    }

    private String warmRow(Payload p, Measured sat, Measured fixed, int expected) {
        Run s = sat.run();
        Run r = fixed.run();
        String kept = r.max() < perConnectionIntervalMs() ? "yes" : "no (max " + f1(r.max()) + " ms)";
        int missing = expected - r.answered();
        return row(p.name(), f0(s.throughput()) + "/s", f3(sat.cpuMsPerReview()),
                f2(s.loadGeneratorCpu() / s.seconds()), f2(r.percentile(50)), f2(r.percentile(99)),
                f2(r.percentile(99.9)), f2(r.max()), f1(r.throughput()) + "/s", kept, f3(fixed.cpuMsPerReview()),
                (s.non200() + r.non200() + Math.max(0, missing)) + "", f2(s.load1()) + " / " + f2(r.load1()));
    }

    private double perConnectionIntervalMs() {
        return 1000.0 * connections / rate;
    }

    /**
     * Full collections of one process during its saturation and fixed-rate runs, and before them (start-up and
     * warm-up); NaN when its metrics did not say.
     */
    void fullGcs(String process, double during, double before) {
        fullGcs.put(process, process + " " + (Double.isNaN(during) ? "unknown" : f0(during)));
        fullGcsBefore.add(process + " " + (Double.isNaN(before) ? "unknown" : f0(before)));
    }

    void process(CustomsProcess c) {
        double first = c.firstAnswer.toMillis() / 1000.0;
        double mib = c.peakRssKib() / 1024.0;
        processRows.put(c.name, row(c.name, f2(first) + " s", c.startedIn().map(s -> s + " s").orElse("?"),
                f0(1000 * c.firstTotal) + " ms (TLS " + f0(1000 * c.firstHandshake) + " ms)", f0(mib) + " MiB",
                f0(c.rssKib() / 1024.0) + " MiB", Integer.toString(c.attempts)));
        rss.put(c.name, f0(mib) + " MiB" + (mib <= TARGET_RSS_MIB ? "" : " ✗"));
    }

    /** One start: seconds to the first TCP accept and to the first answer, CPU seconds then, RSS then (MiB). */
    record Start(double acceptS, double answerS, double cpuS, double rssMib) {
        static Start of(CustomsProcess c) {
            return new Start(c.firstAccept.toMillis() / 1000.0, c.firstAnswer.toMillis() / 1000.0,
                    c.cpuAtFirstAnswer, c.rssKib() / 1024.0);
        }
    }

    /** The start-up of one JVM, started several times: medians. */
    void startUp(CustomsProcess.Jvm jvm, List<Start> starts, String load) {
        double[] accept = starts.stream().mapToDouble(Start::acceptS).toArray();
        double[] answer = starts.stream().mapToDouble(Start::answerS).toArray();
        double[] cpuS = starts.stream().mapToDouble(Start::cpuS).toArray();
        double[] rssMib = starts.stream().mapToDouble(Start::rssMib).toArray();
        String flags = jvm.flags().stream().map(f -> f.replaceAll("=.*/", "=…/")).reduce((a, b) -> a + " " + b)
                .orElse("");
        startUpRows.add(row(jvm.label(), flags.isEmpty() ? "" : "`" + flags + "`", f2(median(accept)) + " s",
                f2(median(answer)) + " s (" + String.join(", ", Arrays.stream(answer).sorted().mapToObj(Report::f2)
                        .toList()) + ")",
                f2(median(cpuS)) + " s", f0(median(rssMib)) + " MiB", load.split(" ")[0]));
        // issue 13's figures: 1.46 s measured with JDK 25 and an AOT cache, 2.2 s with JDK 17 and AppCDS; a JDK 17
        // without an archive reads, verifies and links every class at every start, and is shown beside them
        boolean jdk17 = jvm.label().startsWith("JDK 17");
        double target = jvm.flags().stream().anyMatch(f -> f.startsWith("-XX:AOTCache=")) ? TARGET_FIRST_ANSWER_AOT_S
                : jdk17 && jvm.flags().stream().anyMatch(f -> f.startsWith("-XX:SharedArchiveFile="))
                        ? TARGET_FIRST_ANSWER_S
                        : Double.NaN;
        if (!Double.isNaN(target)) {
            startUpMet &= median(answer) <= target;
            startUpTarget.add(jvm.label() + " " + f2(median(answer)) + " s (≤ " + f1(target) + ")");
        } else if (jdk17) {
            startUpTarget.add(jvm.label() + " without an archive " + f2(median(answer)) + " s (no target)");
        }
    }

    /** A JVM of the start-up comparison that could not be measured: said in the notes and against the target. */
    void startUpFailed(String label, String why) {
        startUpNotes.add(label + " not measured: " + why);
        startUpRows.add(row(label, "", "—", "not measured (see the note above)", "—", "—", Proc.loadAverage().split(
                " ")[0]));
        if (label.startsWith("JDK 17") || label.contains("AOT") || label.startsWith("image")) {
            startUpMet = false;
            startUpTarget.add(label + " not measured");
        }
    }

    void startUpSkipped(String why) {
        startUpNotes.add(why);
        startUpMet = false;
        startUpTarget.add("JDK 25 + AOT not run: " + why);
    }

    void warmRegistry(String scenario, Payload p, Run r, long heads, long gets, long digestRefs, long tags,
            long perTtl, long maxPerTag) {
        boolean ok = gets == 0 && digestRefs == 0 && maxPerTag <= perTtl;
        registryMet &= ok;
        registryRows.add(row(scenario, p.name(), Integer.toString(r.answered()), f1(r.seconds()) + " s",
                Long.toString(heads), Long.toString(gets), Long.toString(digestRefs),
                tags + " tags × ≤ " + perTtl + " HEADs", Long.toString(maxPerTag), ok ? "yes" : "**no**"));
        registry.add(scenario + ": " + heads + " HEADs (≤ " + perTtl + " per tag: max " + maxPerTag + "), " + gets
                + " GETs, " + digestRefs + " for digest refs");
    }

    /** A GET through the proxy, less the interval the proxy timed for it, from the bench's client. */
    void proxyOverhead(double p50, double p90, int requests) {
        proxyOverhead = String.format(Locale.ROOT, "What a request costs outside the interval the proxy times, which "
                + "the table counts as Customs' own: a keep-alive GET of a 1.5 KB blob through the proxy, on a "
                + "connection the bench writes and reads on its own thread as it does the cold reviews, less the "
                + "proxy's interval for it, took p50 %.2f ms, p90 %.2f ms (%d GETs). That "
                + "holds the proxy's dispatch (the JDK's HttpServer), the bench client's own handling and loopback: "
                + "an upper bound on the proxy's part of each request, of which a review with three dependent round "
                + "trips has at least three.\n\n", p50, p90, requests);
    }

    /** A warm review's latency from the JDK's HttpClient and from the review socket the cold reviews use. */
    void clientOverhead(String payload, double jdkP50, double socketP50, int reviews) {
        clientOverhead = String.format(Locale.ROOT, "The bench sends each cold review on one kept-alive TLS connection "
                + "that it writes and reads on its own thread, as the API server's client does. On a warm %s review "
                + "(%d of each, alternating) that took p50 %.2f ms, against %.2f ms from the JDK's HttpClient, whose "
                + "hand-offs between its own threads the own-time columns would otherwise count as Customs'. The own "
                + "time still holds the rest of the client's time: the warm review's whole latency is an upper bound "
                + "on it.\n\n", payload, reviews, socketP50, jdkP50);
    }

    void proxyOverheadFailed(String why) {
        proxyOverhead = "The proxy's own time per request was not measured: " + why + ".\n\n";
    }

    void cold(Payload p, int minimum, int roundTrips, List<ColdTrial> trials) {
        double[] latency = trials.stream().mapToDouble(ColdTrial::latencyMs).sorted().toArray();
        double[] busy = trials.stream().mapToDouble(ColdTrial::busyMs).sorted().toArray();
        double[] own = trials.stream().mapToDouble(ColdTrial::ownMs).sorted().toArray();
        double[] cpu = trials.stream().mapToDouble(ColdTrial::cpuMs).sorted().toArray();
        double[] jit = trials.stream().mapToDouble(ColdTrial::jitMs).sorted().toArray();
        double[] customsOwn = trials.stream().mapToDouble(ColdTrial::customsOwnMs).filter(d -> !Double.isNaN(d))
                .sorted().toArray();
        ColdTrial first = trials.get(0);
        String requests = first.requests() + " (" + first.manifests() + " manifests + " + first.blobs() + " configs"
                + (first.heads() > 0 ? " + " + first.heads() + " HEADs" : "") + "; minimum " + minimum + ")";
        boolean same = trials.stream().allMatch(t -> t.requests() == first.requests());
        int layers = trials.stream().mapToInt(ColdTrial::layers).max().orElse(0);
        coldRows.add(row(p.name(), Integer.toString(p.images().size()), requests + (same ? "" : " varied")
                + (layers == 0 ? "" : "; and up to " + layers + " layer GETs of the layer scans, not counted"),
                Integer.toString(roundTrips), f1(median(latency)) + " (max " + f1(max(latency)) + ")",
                f1(median(busy)), f1(median(own)) + " (max " + f1(max(own)) + ")",
                customsOwn.length == 0 ? "n/a" : f1(median(customsOwn)) + " (max " + f1(max(customsOwn)) + ")",
                f1(median(cpu)) + " (" + f1(median(jit)) + ")"));
        coldMet &= median(own) <= TARGET_COLD_OWN_MS;
        coldOwn.add(p.name() + " " + f1(median(own)) + " ms");
    }

    void burst(int n, String digest, int requests, long manifests, long blobs, long distinctBlobs,
            double[] latencies, double spreadMs, double misses, double hits, int others) {
        // the image has a config and one layer, which the layer scan (issue 12) reads: 1 manifest + 2 blobs at least
        burstMet = manifests == 1 && blobs == distinctBlobs && blobs == 2 && requests == manifests + blobs;
        burstFigure = requests + " requests: " + manifests + " manifest + " + blobs + " blobs (" + distinctBlobs
                + " distinct: the config and the layer)";
        burst.append(String.format(Locale.ROOT, "%d concurrent reviews of one new single-platform image (sent within "
                + "%.1f ms of each other, on open connections) caused **%d registry requests: %d manifest GET and %d "
                + "blob GETs of %d distinct blobs** (the image's config and its one layer, which the layer scan "
                + "reads after the answers; counted once the registry had seen no request for 2 s). Latency min "
                + "%.1f / median %.1f / max %.1f ms. Customs counted %.0f of them as a miss (they shared the one "
                + "fetch) and %.0f as a hit (they arrived after it). Meanwhile the proxy "
                + "also saw %d requests for other images (the cold path's layer scans, which go on after their "
                + "reviews are answered): not counted above.\n", n, spreadMs,
                requests, manifests, blobs, distinctBlobs, latencies[0], median(latencies), max(latencies), misses,
                hits, others));
    }

    void auditScale(AuditScale.AuditRun first, AuditScale.AuditRun second, AuditScale.Heap heap, int reports,
            List<String> unexpected) {
        audit.append(String.format(Locale.ROOT, "A synthetic API server (`SyntheticApiServer`) serves %,d pods and "
                + "%,d workloads in %,d namespaces, with the %,d ReplicaSets and %,d Jobs their controllers made, "
                + "generated on demand: creating them in the end-to-end API server (etcd on this shared 2-core "
                + "machine) would take far longer than the benchmark. Pods are `pod.json` (9 KB, 5 KB of metadata).%n%n",
                SyntheticCluster.PODS, SyntheticCluster.WORKLOADS, SyntheticCluster.NAMESPACES,
                SyntheticCluster.DEPLOYMENTS * 2, SyntheticCluster.CRONJOBS * 3));
        audit.append("**Unpaced** (`objects-per-second=0`, `images-per-second=0`): the audit's own cost.\n\n");
        List<String> rows = new ArrayList<>();
        rows.add(auditRow("first (every report new)", first));
        rows.add(auditRow("second (nothing changed)", second));
        table(audit, List.of("run", "took", "objects evaluated", "list requests (metadata)", "GETs",
                "objects listed", "MB read", "reports written", "deleted", "largest report"), rows);
        audit.append(String.format(Locale.ROOT, "Reports stored after both runs: %,d. Heap (max %s MiB): live after a "
                + "full GC %s MiB before the audit, %s MiB during it (most pods read), so the audit holds **%s MiB**; "
                + "peak used (garbage included, sampled every 250 ms) %s MiB; peak RSS %s MiB.%s%n%n", reports,
                f0(heap.max()), f1(heap.liveBefore()), f1(heap.liveDuring()), f1(heap.liveDuring() - heap.liveBefore()),
                f0(heap.peakUsed()), f0(heap.peakRss()), unexpected.isEmpty() ? ""
                        : " Requests the synthetic API server did not serve: " + unexpected + "."));
        double held = heap.liveDuring() - heap.liveBefore();
        boolean heapMet = held <= AuditScale.TARGET_LIVE_HEAP_MIB;
        auditTargets.add(row("audit of " + f0(SyntheticCluster.PODS) + " pods / " + f0(SyntheticCluster.WORKLOADS)
                + " workloads holds ≤ " + f0(AuditScale.TARGET_LIVE_HEAP_MIB) + " MiB of live heap",
                f1(held) + " MiB; first run " + f0(first.seconds()) + " s, unchanged run " + f0(second.seconds())
                        + " s with " + second.traffic().get("reportApplies") + " writes",
                met(heapMet && second.traffic().get("reportApplies") == 0)));
    }

    private String auditRow(String what, AuditScale.AuditRun r) {
        Map<String, Long> t = r.traffic();
        return row(what, f1(r.seconds()) + " s", f0(r.objects()),
                f0(t.get("list") + t.get("metadataList")) + " (" + f0(t.get("metadataList")) + ")", f0(t.get("get")),
                f0(t.get("listedObjects")), f0(t.get("bytesSent") / 1e6), f0(t.get("reportApplies")),
                f0(t.get("reportDeletes")), f0(t.get("largestReport")) + " B");
    }

    void auditAdmission(AuditScale.Admission a, AuditScale.AuditRun paced, int rate, Map<String, AuditScale.Cpu> cpus,
            String pace) {
        audit.append(String.format(Locale.ROOT,
                "**Paced** as the chart configures it (%s), with admission of `%s.json` at %d/s while the process's first audit runs, while "
                        + "its second audit runs, and after that (`customs.audit.interval=%s`: a replica audits every "
                        + "interval; only its first audit has the JIT compiling the audit's code). The first audit took %.0f "
                        + "s; it resolved %d images (half of them new to this process: admission had not seen them) with %d "
                        + "registry requests. The second yielded %.1f s to admission while admission was measured. Peak RSS "
                        + "of this process: %s MiB. The last row is a second process whose audit does not yield "
                        + "(`customs.audit.max-yield=0`), with the same admission while its second audit runs. Each row pools "
                        + "the latencies of %d runs in a row; each run follows %d s of the same admission on connections of its "
                        + "own, so that the recompilation a new set of connections sets off falls before the run, whichever "
                        + "run it is. The CPU table covers the rows' runs and the admission before each.%n%n",
                pace, a.payload(), rate, AuditScale.SECOND_AUDIT_AFTER, paced.seconds(), a.images(), a.registryRequests(),
                a.yieldedSeconds(), f0(a.peakRss()), AuditScale.RUNS, AuditScale.RECONNECT_S));
        List<String> rows = new ArrayList<>();
        rows.add(admissionRow("while the first audit runs" + (a.duringFirstAudit() ? "" : " (it had ended ✗)"),
                a.duringFirst()));
        rows.add(admissionRow("while the second audit runs" + (a.duringAudit() ? "" : " (it had ended ✗)"),
                a.during()));
        rows.add(admissionRow("after the second audit, before the third", a.after()));
        if (a.withoutYield() != null) {
            rows.add(admissionRow("while a second audit that does not yield runs"
                    + (a.withoutYieldDuringAudit() ? "" : " (it had ended ✗)"), a.withoutYield()));
        }
        table(audit, List.of("admission", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "achieved rate", "errors",
                "load1"), rows);
        if (!cpus.isEmpty()) {
            audit.append(String.format(Locale.ROOT, "%nWhere the CPU went during each run, in cores (CPU seconds per "
                    + "second; the machine has 2): Customs' threads by part, the synthetic API server's threads (in "
                    + "the bench's JVM at nice 19; in a cluster the API server runs elsewhere), and hey; and the pauses of "
                    + "Customs' collector (SerialGC: every collection stops the event loops).%n%n"));
            List<String> cpuRows = new ArrayList<>();
            List<String> heads = new ArrayList<>(List.of("run"));
            AuditScale.Cpu first = cpus.values().iterator().next();
            first.customs().keySet().forEach(part -> heads.add("Customs: " + part));
            heads.addAll(List.of("Customs' busiest other threads", "synthetic API server", "hey", "GC pauses",
                    "paused ms", "longest recent pause ms"));
            cpus.forEach((label, c) -> {
                List<String> cells = new ArrayList<>(List.of(label));
                c.customs().values().forEach(v -> cells.add(f3(v / c.seconds())));
                cells.addAll(List.of(c.busiestOther(), f3(c.apiServer() / c.seconds()), f3(c.hey() / c.seconds()),
                        f0(c.gcPauses()),
                        f0(c.gcPauseSeconds() * 1000), f1(c.gcPauseMaxSeconds() * 1000)));
                cpuRows.add(row(cells.toArray(String[]::new)));
            });
            table(audit, heads, cpuRows);
        }
        double increase = a.during().percentile(99) - a.after().percentile(99);
        String figure = f2(a.during().percentile(99)) + " vs " + f2(a.after().percentile(99)) + " ms ("
                + (increase >= 0 ? "+" : "") + f2(increase) + ")";
        double firstIncrease = a.duringFirst().percentile(99) - a.after().percentile(99);
        figure += "; during the process's first audit " + f2(a.duringFirst().percentile(99)) + " ms ("
                + (firstIncrease >= 0 ? "+" : "") + f2(firstIncrease) + ")";
        if (a.withoutYield() != null) {
            double without = a.withoutYield().percentile(99) - a.after().percentile(99);
            figure += "; without yielding " + f2(a.withoutYield().percentile(99)) + " ms ("
                    + (without >= 0 ? "+" : "") + f2(without) + ")";
        }
        auditTargets.add(row("an audit in progress (a replica's second and later) raises admission p99 ("
                + a.payload() + ", " + rate + "/s) by ≤ " + f1(AuditScale.TARGET_P99_INCREASE_MS) + " ms", figure,
                met(a.duringAudit() && increase <= AuditScale.TARGET_P99_INCREASE_MS)));
    }

    private String admissionRow(String what, Run r) {
        return row(what, f2(r.percentile(50)), f2(r.percentile(99)), f2(r.percentile(99.9)), f2(r.max()),
                f1(r.throughput()) + "/s", Integer.toString(r.non200()), f2(r.load1()));
    }

    void layerScan(String markdown) {
        layerScan = markdown;
    }

    void dockerfile(String markdown) {
        dockerfile = markdown;
    }

    /** How long one process's warm-up took, and the JIT's share of its CPU in the last round. */
    void warmUp(String process, int seconds, double jitShare, boolean settled) {
        warmUps.add(process + " " + seconds + " s, JIT " + f1(100 * jitShare) + "% in its last round"
                + (settled ? "" : " (not settled)"));
    }

    /** The machine's speed on a fixed piece of work, at the start and at the end, to compare runs across days. */
    void reference(String figure) {
        references.add(figure);
    }

    /** Fills in what the header could only say at the end. */
    private void finishHeader() {
        String end = Proc.loadAverage();
        int i = header.indexOf("%END%");
        header.replace(i, i + 5, end);
        int w = header.indexOf("%WARMUP%");
        if (w >= 0) {
            header.replace(w, w + 8, warmUps.isEmpty() ? "none ran" : String.join("; ", warmUps));
        }
        if (!references.isEmpty() && header.toString().endsWith("\n\n")) {
            header.setLength(header.length() - 1);
            header.append("- Machine reference (a fixed piece of work in the bench's JVM, to compare runs on other "
                    + "days or machines, whose load and speed vary; the CPU figures below scale with it): ")
                    .append(String.join("; ", references)).append(".\n\n");
        }
    }

    void footer() {
        finishHeader();
        if (onRows.isEmpty()) {
            return; // only the audit ran (BENCH_ONLY=audit)
        }
        targets.add(row("**rules-on / floor ≤ 1.2 (CPU per review at saturation)**", String.join("; ", ratio),
                met(ratioMet)));
        targets.add(row("CPU per review at saturation, rules on", String.join("; ", cpu), met(cpuMet)));
        targets.add(row("floor for pod-10 ≤ 0.11 ms", floorFigure, met(floorMet)));
        targets.add(row("warm p99 ≤ 2 ms at " + rate + "/s (rules on; a quiet machine)",
                String.join("; ", p99) + machineLatency, met(p99Met)));
        targets.add(row("first answered review after exec: JDK 25 + AOT ≤ 1.5 s, JDK 17 + AppCDS ≤ 2.2 s (median "
                + "of starts)", String.join("; ", startUpTarget), met(startUpMet)));
        targets.add(row("cold review ≤ registry round trips + 10 ms (median Customs' own time)",
                String.join("; ", coldOwn), met(coldMet)));
        targets.add(row("100 concurrent misses → each document of the image fetched once (1 manifest; its config and, for the "
                + "layer scan, its layer)", burstFigure, met(burstMet)));
        targets.add(row("warm reviews: digest refs 0 requests, tags HEADs per TTL only", String.join("; ", registry),
                met(registryMet)));
        boolean gcsMet = !fullGcs.isEmpty() && fullGcs.values().stream().allMatch(v -> v.endsWith(" 0"));
        targets.add(row("no full GC during the saturation and fixed-rate runs", fullGcs.isEmpty() ? "not measured"
                : String.join("; ", fullGcs.values()) + (fullGcsBefore.isEmpty() ? ""
                        : " (before them, since start: " + String.join("; ", fullGcsBefore) + ")"),
                met(gcsMet)));
        boolean rssMet = rss.values().stream().noneMatch(v -> v.endsWith("✗"));
        targets.add(row("peak RSS ≤ 300 MiB", join(rss), met(rssMet)));
    }

    private void startUpSection(StringBuilder md) {
        md.append("## Start-up by JVM\n\n");
        md.append("Each JVM started ").append(STARTS_NOTE).append(": from exec to the first TCP connection the "
                + "HTTPS port accepts (probed from the bench's JVM every 2 ms, no process per poll), and to the first "
                + "`200` from `POST /validate` (pod.json, its images not yet cached); Customs' CPU time (all threads) "
                + "at that answer. \"JDK 17\" and \"JDK 25\" run the fast-jar's quarkus-run.jar (Quarkus' class "
                + "loader); \"JDK 17 + AppCDS\" and \"JDK 25 + AOT cache\" run customs-classpath.jar, which the build "
                + "writes beside it (the fast-jar's jars on the JVM's own class path, as the image runs them: an archive "
                + "or a cache keeps nearly all classes only for the JVM's own loaders), as the README tells `java -jar` "
                + "users to. \"JDK 17 + AppCDS\" maps a dynamic archive that a training run of the three payloads "
                + "wrote at its exit (-XX:ArchiveClassesAtExit), required with -Xshare:on. \"JDK 25 + AOT cache\" uses "
                + "a cache a training run of the three payloads made on the same JDK 25; \"image\" runs the runtime, fast-jar and cache laid out as Customs' "
                + "image lays them out, made by the image build's own program (src/main/image/ImageRuntime.java: "
                + "jlink, then its training run), with the image's entrypoint flags and -XX:AOTMode=on.\n\n");
        startUpNotes.forEach(n -> md.append("- ").append(n).append('\n'));
        table(md, List.of("JVM", "flags", "first TCP accept", "first answered review (each start)",
                "CPU at first answer", "RSS then", "load1"), startUpRows);
    }

    /** Only the start-up comparison (BENCH_STARTUP_ONLY): the header, the target, the table. */
    String startUpMarkdown() {
        finishHeader();
        StringBuilder md = new StringBuilder(header);
        md.append("Only the start-up comparison ran (BENCH_STARTUP_ONLY).\n\n");
        table(md, List.of("target", "measured", "met"), List.of(row("first answered review after exec: image / JDK 25 "
                + "+ AOT ≤ 1.5 s, JDK 17 + AppCDS ≤ 2.2 s (median of starts)", String.join("; ", startUpTarget),
                met(startUpMet))));
        startUpSection(md);
        return md.toString();
    }

    /** Only the cold path and the burst (BENCH_ONLY=cold): the header, the target, the section. */
    String coldMarkdown() {
        finishHeader();
        StringBuilder md = new StringBuilder(header);
        md.append("Only the cold path and the burst ran (BENCH_ONLY=cold).\n\n");
        table(md, List.of("target", "measured", "met"), List.of(row("cold review ≤ registry round trips + 10 ms "
                + "(median Customs' own time)", String.join("; ", coldOwn), met(coldMet))));
        coldSection(md);
        return md.toString();
    }

    private void coldSection(StringBuilder md) {
        md.append("## Cold path: a proxy adds 50 ms to every registry request\n\n");
        md.append("Each review names only images no cache has seen (pushed under a fresh prefix). Registry busy time "
                + "is the union of the intervals during which the proxy was answering at least one of the review's "
                + "requests (its 50 ms delay included); Customs' own time is the review's latency minus that. Customs' "
                + "CPU is the CPU time of all its threads from the review's send to its answer (the scheduler's "
                + "nanoseconds, from each thread's `/proc/<pid>/task/<tid>/schedstat`), and in brackets the part of it "
                + "that the JIT's compiler threads spent compiling code as it got hot, the miss path's among it: code "
                + "that only cold reviews run reaches the compile thresholds only as they come, and the compiler "
                + "threads share the 2 cores with the review's. When the CPU less the JIT's is well under the own "
                + "time, the own time is spent waiting, not computing. The own time holds what the bench's client "
                + "takes to send the review and read the answer "
                + "(on the same 2 cores); the next column leaves that out: the review's time on Customs' own clock "
                + "(`customs_admission_duration_seconds`, read before and after it: from the body's end to the "
                + "decision, so without the answer's write) less the same registry busy time. Both still hold the "
                + "proxy's dispatch of each request, measured below.\n\n");
        table(md, List.of("payload", "images", "registry requests", "dependent round trips", "latency ms",
                "registry busy ms", "Customs' own ms", "the same on Customs' clock ms", "Customs' CPU ms (JIT)"),
                coldRows);
        md.append(proxyOverhead);
        md.append(clientOverhead);
        md.append(burst).append('\n');
    }

    String markdown() {
        StringBuilder md = new StringBuilder(header);
        if (!auditTargets.isEmpty()) {
            md.append("## Targets (issue 16: the audit at scale)\n\n");
            table(md, List.of("target", "measured", "met"), auditTargets);
            md.append("## The audit at scale\n\n").append(audit);
        }
        if (onRows.isEmpty()) {
            return md.toString(); // only the audit ran (BENCH_ONLY=audit)
        }
        md.append("## Headline: rules on / floor\n\n");
        md.append("CPU per review at saturation with every rule on, over the same with every rule off (HTTP, JSON "
                + "and plumbing only), on the same machine at the same time: the figure that moves least with "
                + "whatever else the machine does. Each round is a run of each process, one right after the other; "
                + "the ratio is the median of the rounds' ratios. The CPU, allocation (from "
                + "jvm_gc_memory_allocated_bytes_total) and throughput beside it, and the saturation figures below, "
                + "are that median round's.\n\n");
        table(md, List.of("payload", "CPU rules on / floor", "each round", "CPU ms/review, rules on",
                "CPU ms/review, floor",
                "KB allocated/review, rules on", "KB allocated/review, floor", "throughput floor/on",
                "p50 at fixed rate", "p99 at fixed rate"), ratioRows);
        md.append("## Targets (issue 13)\n\n");
        table(md, List.of("target", "measured", "met"), targets);
        md.append("## Payloads\n\n");
        table(md, List.of("payload", "kind", "bytes", "containers", "images", "verdict, rules on", "verdict, floor"),
                payloadRows);
        List<String> warmHeader = List.of("payload", "throughput at saturation", "CPU ms/review (sat.)",
                "hey CPU (cores)", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "achieved rate", "schedule kept",
                "CPU ms/review (fixed rate)", "errors", "load1 (sat. / rate)");
        md.append("## Warm path, rules on (production configuration)\n\n");
        md.append("Latencies at the fixed rate of ").append(rate).append("/s; throughput at saturation.\n\n");
        table(md, warmHeader, onRows);
        md.append("## Floor: every rule off (no image resolution): HTTP + JSON + plumbing\n\n");
        table(md, warmHeader, offRows);
        md.append("## Where the CPU went at saturation (µs per review, by thread)\n\n");
        md.append("From /proc/<pid>/task/*/stat. Event loops run the reviews; Quarkus workers read bodies Quarkus "
                + "REST does not buffer; VM Thread is SerialGC's collections; compiler threads are the JIT, still "
                + "at work after the warm-up when they show here; customs-events posts (here: logs) Events of "
                + "denials; customs-registry is the registry client's pool.\n\n");
        table(md, List.of("payload", "event loops", "Quarkus workers", "GC (VM Thread)", "JIT compilers",
                "customs-events", "customs-registry", "other", "total"), cpuRows);
        md.append("## Start-up and memory\n\n");
        md.append("First answer: from exec of `java` to the first `200` from `POST /validate` (pod.json, its image not "
                + "yet cached), polled with curl every few ms. Peak RSS: VmHWM at the end of the process's runs.\n\n");
        table(md, List.of("process", "first answered review", "Quarkus \"started in\"", "the answering poll",
                "peak RSS", "RSS now", "polls"), new ArrayList<>(processRows.values()));
        startUpSection(md);
        coldSection(md);
        md.append("## Registry requests of warm reviews\n\n");
        table(md, List.of("tag TTL", "payload", "reviews", "over", "manifest HEADs", "GETs", "for digest refs",
                "allowed", "most HEADs of one tag", "as expected"), registryRows);
        md.append(layerScan).append('\n');
        md.append(dockerfile).append('\n');
        return md.toString();
    }

    static final String STARTS_NOTE = "five times, in rounds of one start of each JVM (medians shown)";

    // ---- formatting ----

    private static void table(StringBuilder md, List<String> header, List<String> rows) {
        md.append(row(header.toArray(String[]::new))).append('\n');
        md.append("|").append("---|".repeat(header.size())).append('\n');
        rows.forEach(r -> md.append(r).append('\n'));
        md.append('\n');
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |";
    }

    private static String join(Map<String, String> m) {
        List<String> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(k + " " + v.replace(" ✗", "")));
        return String.join("; ", out);
    }

    private static String met(boolean met) {
        return met ? "met" : "**not met**";
    }

    static double median(double[] sorted) {
        double[] s = sorted.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[(s.length - 1) / 2];
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    static String f0(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String git(Path root, String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("git", "-C", root.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
