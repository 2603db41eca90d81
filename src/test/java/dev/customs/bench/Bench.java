package dev.customs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.bench.Hey.Run;
import dev.customs.bench.Payloads.Payload;
import dev.customs.image.registry.RegistryProxy;
import dev.customs.image.registry.TestCerts;
import dev.customs.image.registry.TestRegistry;
import dev.customs.rules.RuleRegistry;

/**
 * Customs' benchmark, run by {@code bench/run}: a real registry seeded with the benchmark images behind a counting
 * proxy, Customs in production mode twice (every rule as configured, and every rule {@code off}: the floor of HTTP,
 * JSON and plumbing), {@code hey} for the load. Prints the figures as Markdown on standard output (progress goes to
 * standard error) and writes them to {@code bench/results/<date>.md}. See {@code bench/README.md} for what each
 * figure means and how it is measured.
 */
public final class Bench {

    /** Where things are: the repository, bench/work, and the production configuration file copied from the chart. */
    record Env(Path root, Path work, Path config) {
    }

    /** Settings, from environment variables so a quick run is one variable away. */
    record Settings(int warmupSeconds, int saturationSeconds, int saturationRounds, int concurrency, int rate,
            int rateSeconds, int rateConnections, int coldTrials, int coldDelayMs, int burst, int warmReviews) {

        static Settings fromEnvironment() {
            return new Settings(env("BENCH_WARMUP_SECONDS", 5), env("BENCH_SATURATION_SECONDS", 10),
                    Math.max(1, env("BENCH_SATURATION_ROUNDS", 5)), env("BENCH_CONCURRENCY", 32),
                    env("BENCH_RATE", 200), env("BENCH_RATE_SECONDS", 20), env("BENCH_RATE_CONNECTIONS", 8),
                    env("BENCH_COLD_TRIALS", 5), 50, 100, 1000);
        }

        private static int env(String name, int fallback) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
        }
    }

    /** PIDs of every process the bench starts, one per line, so bench/run can clean up even after a crash. */
    static final class PidFile {
        private final Path file;

        PidFile(Path file) {
            this.file = file;
        }

        synchronized void add(long pid) {
            try {
                Files.writeString(file, pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static PidFile pids;

    static PidFile pids() {
        return pids;
    }

    /** For mains other than this one that start processes through {@link CustomsProcess}. */
    static void pids(PidFile file) {
        pids = file;
    }

    private static final PrintStream PROGRESS = System.err;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern RESOLUTIONS = Pattern.compile(
            "(?m)^customs_image_resolutions_total\\{[^}]*result=\"(\\w+)\"[^}]*}\\s+(\\S+)");

    /** BENCH_STARTUP_ONLY=1: only the start-up comparison, written to bench/results/<date>-startup.md. */
    static final boolean STARTUP_ONLY = "1".equals(System.getenv("BENCH_STARTUP_ONLY"));

    /** BENCH_ONLY=audit: only the audit at scale, written to bench/results/<date>-audit.md. */
    static final boolean AUDIT_ONLY = "audit".equals(System.getenv().getOrDefault("BENCH_ONLY", "").strip());

    /**
     * BENCH_ONLY=cold: only the cold path and the burst, on one Customs with the production configuration, written to
     * bench/results/<date>-cold.md (with BENCH_COLD_TRIALS, to see a change to the cold path in minutes).
     */
    static final boolean COLD_ONLY = "cold".equals(System.getenv().getOrDefault("BENCH_ONLY", "").strip());

    private final Env env;
    private final Settings settings;
    private final Hey hey;
    private final HttpClient client;
    /** What {@link ReviewSocket} connections trust: Customs' certificate. */
    private final SSLContext tls;
    /** For training runs: the apiserver sends reviews over HTTP/2. */
    private final HttpClient http2;
    private final Report report = new Report();

    private Bench(Env env, Settings settings) throws Exception {
        this.env = env;
        this.settings = settings;
        this.hey = new Hey(Files.createDirectories(env.work().resolve("hey")));
        try (InputStream in = Files.newInputStream(env.work().resolve("tls.crt"))) {
            this.tls = TestCerts.trusting((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) throws Exception {
        // The counting proxy is the JDK's HttpServer, which by default leaves Nagle's algorithm on: its answer, written
        // in more than one segment, then waits for Customs' delayed ACK (40 ms on Linux) and the cold-path figures
        // measure that instead of Customs. Registries (Go's net/http) set TCP_NODELAY; so does the proxy here.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path work = root.resolve("bench/work");
        pids = new PidFile(work.resolve("pids"));
        Env env = new Env(root, work, productionConfig(root, work));
        Bench bench = new Bench(env, Settings.fromEnvironment());
        String markdown = bench.run();
        Path results = Files.createDirectories(root.resolve("bench/results"))
                .resolve(LocalDate.now(ZoneOffset.UTC) + (STARTUP_ONLY ? "-startup"
                        : AUDIT_ONLY ? "-audit" : COLD_ONLY ? "-cold" : "") + ".md");
        Files.writeString(results, markdown);
        System.out.print(markdown);
        PROGRESS.println("bench: figures written to " + root.relativize(results));
    }

    private String run() throws Exception {
        Settings s = settings;
        report.header(env, s);
        progress("starting the registry and the counting proxy");
        try (TestRegistry registry = TestRegistry.start(TestRegistry.Auth.NONE, false, env.work().resolve("registry"));
                RegistryProxy proxy = new RegistryProxy(registry.base())) {
            pids.add(registry.pid());
            Map<String, String> digests = BenchImages.push(registry, "");
            Payloads templates = new Payloads(env.root().resolve("bench/payloads"));
            List<Payload> payloads = new ArrayList<>();
            for (String name : Payloads.NAMES) {
                payloads.add(templates.render(name, proxy.authority(), digests,
                        env.work().resolve("payloads/" + name + ".json")));
            }
            reference(payloads.get(0), "at the start");
            Map<String, String> production = new LinkedHashMap<>();
            production.put("customs.registry.insecure-registries", proxy.authority());
            // not a measured figure: lets the bench stop Customs without the chart's 10 s drain
            production.put("quarkus.shutdown.delay", "0s");
            if (STARTUP_ONLY) {
                startUp(payloads, production);
                return report.startUpMarkdown();
            }
            if (COLD_ONLY) {
                try (CustomsProcess on = CustomsProcess.start("rules-on", env, production, payloads.get(0).file(),
                        warmJvm())) {
                    coldPath(registry, proxy, on, templates, payloads);
                }
                return report.coldMarkdown();
            }
            Map<String, String> floor = floor(production);

            if (!AUDIT_ONLY) {
                admission(registry, proxy, templates, payloads, production, floor);
            }
            if (!"0".equals(System.getenv("BENCH_AUDIT"))) {
                new AuditScale(env, settings, hey).run(registry, proxy, payloads, production, report);
            }
        }
        if (referencePayload != null) {
            reference(referencePayload, "at the end");
        }
        progress("layer scan throughput beside gzip -d");
        report.layerScan(LayerScanBench.markdown(LayerScanBench.run(env.work())));
        progress("Dockerfile check");
        report.dockerfile(DockerfileBench.markdown(DockerfileBench.run()));
        report.footer();
        return report.markdown();
    }

    /** Issue 7's figures: warm and cold path, burst, start-up by JVM, registry requests of warm reviews. */
    private void admission(TestRegistry registry, RegistryProxy proxy, Payloads templates, List<Payload> payloads,
            Map<String, String> production, Map<String, String> floor) throws Exception {
        CustomsProcess.Jvm jvm = warmJvm();
        progress("starting Customs with the production configuration (rules on) on " + jvm.label());
        try (CustomsProcess on = CustomsProcess.start("rules-on", env, production, payloads.get(0).file(), jvm)) {
            progress("  first answer after " + on.firstAnswer.toMillis() + " ms");
            progress("starting Customs with every rule off (the floor)");
            try (CustomsProcess off = CustomsProcess.start("floor", env, floor, payloads.get(0).file(), jvm)) {
                progress("  first answer after " + off.firstAnswer.toMillis() + " ms");
                for (Payload p : payloads) {
                    report.payload(p, verdict(on, p.body()), verdict(off, p.body()));
                }
                for (CustomsProcess c : List.of(on, off)) {
                    warmUp(c, payloads);
                }
                double onGcs = on.fullGcs(client);
                double offGcs = off.fullGcs(client);
                for (Payload p : payloads) {
                    warmPath(p, on, off);
                }
                Thread.sleep(500); // the JVM reports a collection to Micrometer after it ends, on another thread
                report.fullGcs(on.name, on.fullGcs(client) - onGcs, onGcs);
                report.fullGcs(off.name, off.fullGcs(client) - offGcs, offGcs);
                machineLatency(payloads.get(payloads.size() - 1), jvm);
                report.process(on);
                report.process(off);
                warmRegistryRequests(proxy, on, payloads.get(2), "tag-ttl 5m (default)", Duration.ofMinutes(5));
            }
            coldPath(registry, proxy, on, templates, payloads);
            report.process(on);
        }
        if ("0".equals(System.getenv("BENCH_STARTUP"))) {
            report.startUpSkipped("BENCH_STARTUP=0: the start-up comparison did not run");
        } else {
            startUp(payloads, production);
        }
        progress("starting Customs with tag-ttl=2s, to see tags re-checked within a short run");
        Map<String, String> shortTtl = new LinkedHashMap<>(production);
        shortTtl.put("customs.registry.tag-ttl", "2s");
        try (CustomsProcess ttl = CustomsProcess.start("tag-ttl-2s", env, shortTtl, payloads.get(0).file())) {
            verdict(ttl, payloads.get(2).body());
            warmRegistryRequests(proxy, ttl, payloads.get(2), "tag-ttl 2s", Duration.ofSeconds(2));
            report.process(ttl);
        }
    }

    // ---- start-up by JVM ----

    /**
     * The image's JVM: the runtime, the fast-jar and the AOT cache laid out as Customs' image lays them out, made by
     * the program the image build runs ({@code src/main/image/ImageRuntime.java}: jlink, then a training run of its
     * own), under bench/work/image, started with the image's entrypoint flags and the cache required.
     */
    private Optional<CustomsProcess.Jvm> imageJvm(Path java25) throws Exception {
        Path root = env.work().resolve("image");
        Path log = env.work().resolve("image-runtime.log");
        progress("the image's runtime and AOT cache (src/main/image/ImageRuntime.java), as the image build makes them");
        Process p = new ProcessBuilder(java25.toString(), env.root().resolve("src/main/image/ImageRuntime.java")
                .toString(), "--properties",
                env.root().resolve("src/main/resources/application.properties")
                        .toString(),
                "--app", env.root().resolve("target/quarkus-app").toString(), "--root", root.toString(), "--work",
                env.work().resolve("image-runtime").toString(), "--keep-app", "--runtime-cache", Path.of(System
                        .getProperty("user.home"), ".cache", "customs-image").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        pids.add(p.pid());
        if (p.waitFor() != 0) {
            report.startUpSkipped("the image's runtime and cache could not be made (see bench/work/image-runtime.log)");
            return Optional.empty();
        }
        List<String> entrypoint = CustomsProcess.imageEntrypoint(env.root().resolve(
                "src/main/resources/application.properties"));
        List<String> flags = new ArrayList<>();
        for (String arg : entrypoint.subList(1, entrypoint.indexOf("-jar"))) {
            flags.add(arg.startsWith("-XX:AOTCache=") ? "-XX:AOTCache=" + root + arg.substring("-XX:AOTCache=".length())
                    : arg);
        }
        flags.add("-XX:AOTMode=on");
        return Optional.of(new CustomsProcess.Jvm("image: JDK 25 jlinked + its AOT cache", root.resolve(entrypoint
                .get(0).substring(1)), flags, root.resolve(entrypoint.get(entrypoint.size() - 1).substring(1))));
    }

    /** How often each JVM is started for the start-up comparison; the median is reported. */
    private static final int STARTS = 5;

    /**
     * The start-up of JDK 17 (the bench's JVM), without and with an AppCDS archive (a dynamic archive written at the
     * exit of a training run), JDK 25, JDK 25 with an AOT cache (JEP 483/514) made by a training run of the three
     * payloads, and the image's JVM (see {@link #imageJvm}). JDK 25 is {@code BENCH_JAVA25} or Temurin's Debian path;
     * without it the comparison says it did not run. A JVM that does not start within the start limit is reported as
     * such and the others are still measured.
     */
    private void startUp(List<Payload> payloads, Map<String, String> config) throws Exception {
        String home = System.getenv().getOrDefault("BENCH_JAVA25", "/usr/lib/jvm/temurin-25-jdk-amd64");
        Path java25 = Path.of(home, "bin", "java");
        CustomsProcess.Jvm java17 = CustomsProcess.Jvm.current();
        List<CustomsProcess.Jvm> jvms = new ArrayList<>(List.of(java17));
        // an archive or a cache runs the jar the image's entrypoint runs, which the build also writes beside
        // quarkus-run.jar (the fast-jar's jars on the JVM's own class path), as the README says
        List<String> entrypoint = CustomsProcess.imageEntrypoint(env.root().resolve(
                "src/main/resources/application.properties"));
        Path launcher = env.root().resolve("target/quarkus-app").resolve(Path.of(entrypoint.get(entrypoint.size() - 1))
                .getFileName());
        if (!Files.isRegularFile(launcher)) {
            throw new IllegalStateException(launcher + " is missing: package the application (./mvnw package) first");
        }
        Path jsa = env.work().resolve("customs.jsa");
        Files.deleteIfExists(jsa);
        progress("training run on " + java17.label() + " for an AppCDS archive");
        try (CustomsProcess training = CustomsProcess.start("appcds-training", env, config, payloads.get(0).file(),
                new CustomsProcess.Jvm(java17.label() + " training", java17.java(), List.of(
                        "-XX:ArchiveClassesAtExit=" + jsa), launcher))) {
            train(training, payloads);
        } // the archive is written when the JVM exits
        if (Files.exists(jsa)) {
            // -Xshare:on: a JVM that cannot map the archive refuses to start instead of measuring a start without it
            jvms.add(new CustomsProcess.Jvm(java17.label() + " + AppCDS", java17.java(), List.of(
                    "-XX:SharedArchiveFile=" + jsa, "-Xshare:on"), launcher));
        } else {
            report.startUpFailed(java17.label() + " + AppCDS", "the training run wrote no archive (see "
                    + "bench/work/customs-appcds-training)");
        }
        if (Files.isExecutable(java25)) {
            jvms.add(new CustomsProcess.Jvm("JDK 25", java25, List.of()));
            Path aot = env.work().resolve("customs.aot");
            Files.deleteIfExists(aot);
            progress("training run on JDK 25 for an AOT cache");
            try (CustomsProcess training = CustomsProcess.start("aot-training", env, config, payloads.get(0).file(),
                    new CustomsProcess.Jvm("JDK 25 training", java25, List.of("-XX:AOTCacheOutput=" + aot), launcher))) {
                train(training, payloads);
            } // the cache is written when the JVM exits
            if (Files.exists(aot)) {
                jvms.add(new CustomsProcess.Jvm("JDK 25 + AOT cache", java25, List.of("-XX:AOTCache=" + aot,
                        "-XX:AOTMode=on"), launcher));
            } else {
                report.startUpSkipped("JDK 25's training run wrote no AOT cache (see bench/work/customs-aot-training)");
            }
            imageJvm(java25).ifPresent(jvms::add);
        } else {
            report.startUpSkipped("no JDK 25 at " + home + " (set BENCH_JAVA25)");
        }
        // in rounds, one start of each JVM per round: the machine's speed drifts over minutes (a shared machine's
        // neighbours come and go), and starting each JVM three times in a row put whole seconds of that drift
        // between the rows
        Map<CustomsProcess.Jvm, List<Report.Start>> starts = new LinkedHashMap<>();
        Map<CustomsProcess.Jvm, String> loads = new HashMap<>();
        Map<CustomsProcess.Jvm, String> failed = new HashMap<>();
        jvms.forEach(jvm -> starts.put(jvm, new ArrayList<>()));
        for (int i = 0; i < STARTS; i++) {
            for (CustomsProcess.Jvm jvm : jvms) {
                if (failed.containsKey(jvm)) {
                    continue; // it did not start before
                }
                String name = "start-" + jvm.label().replaceAll("[^A-Za-z0-9]+", "-") + "-" + i;
                try (CustomsProcess c = CustomsProcess.start(name, env, config, payloads.get(0).file(), jvm)) {
                    starts.get(jvm).add(Report.Start.of(c));
                    String load = Proc.loadAverage();
                    loads.put(jvm, load);
                    progress(String.format(Locale.ROOT, "  %s: accept %d ms, answered %d ms, %.2f CPU s (load %s)",
                            jvm.label(), c.firstAccept.toMillis(), c.firstAnswer.toMillis(), c.cpuAtFirstAnswer,
                            load.split(" ")[0]));
                } catch (IllegalStateException notStarted) {
                    progress("  " + notStarted.getMessage());
                    failed.put(jvm, notStarted.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
        for (CustomsProcess.Jvm jvm : jvms) {
            if (failed.containsKey(jvm)) {
                report.startUpFailed(jvm.label(), failed.get(jvm));
            } else {
                report.startUp(jvm, starts.get(jvm), loads.get(jvm));
            }
        }
    }

    /**
     * A training run's workload: a hundred rounds of the three payloads, their images new at first and cached after,
     * the rounds alternately over HTTP/1.1 and HTTP/2.
     */
    private void train(CustomsProcess training, List<Payload> payloads) throws Exception {
        for (int i = 0; i < 100; i++) {
            for (Payload p : payloads) {
                // every other round over HTTP/2, as the apiserver sends them
                boolean overHttp2 = i % 2 == 1;
                HttpResponse<byte[]> r = (overHttp2 ? http2 : client).send(request(training, p.body()),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (overHttp2 && r.version() != HttpClient.Version.HTTP_2) {
                    throw new IllegalStateException("a training review went over " + r.version() + ", not HTTP/2: "
                            + "Customs did not offer h2");
                }
                answer(training, r);
            }
        }
    }

    /**
     * The JVM of the warm and cold path: the bench's own, or {@code BENCH_WARM_JAVA} (a JDK's home), e.g. the JDK 25 that
     * Customs' image runs.
     */
    static CustomsProcess.Jvm warmJvm() {
        String home = System.getenv("BENCH_WARM_JAVA");
        if (home == null || home.isBlank()) {
            return CustomsProcess.Jvm.current();
        }
        Path java = Path.of(home, "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("BENCH_WARM_JAVA=" + home + " has no bin/java");
        }
        return new CustomsProcess.Jvm(home, java, List.of());
    }

    // ---- machine reference ----

    /** What the machine reference read at the start, read again at the end. */
    private Payload referencePayload;
    static volatile long referenceSink;

    /**
     * The machine's speed on a fixed piece of work, independent of Customs: Jackson reads {@code payload} into a tree
     * and writes it back, on one thread of the bench's JVM, 3 s to warm up, then the best of five 1 s rounds. Runs on
     * other days or machines compare by it: one commit measured about 3x apart in CPU per review on this machine on
     * different days.
     */
    private void reference(Payload payload, String when) throws IOException {
        referencePayload = payload;
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        byte[] body = payload.body();
        long sink = 0;
        long until = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < until) {
            sink += mapper.writeValueAsBytes(mapper.readTree(body)).length;
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            long end = t0 + 1_000_000_000L;
            int n = 0;
            while (System.nanoTime() < end) {
                sink += mapper.writeValueAsBytes(mapper.readTree(body)).length;
                n++;
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e3 / n);
        }
        String figure = String.format(Locale.ROOT, "%.1f µs to read %s (%d bytes) into a tree and write it back %s "
                + "(load1 %.2f)", best, payload.name() + ".json", body.length, when, Proc.load1());
        referenceSink = sink; // kept, so that the JIT cannot drop the work
        progress("machine reference: " + figure);
        report.reference(figure);
    }

    // ---- warm path ----

    /** From when a saturation run is read: its connections are open by then. */
    static final int STEADY_FROM_S = 2;
    /** The JIT is done warming up when its compiler threads took less than this share of a round's CPU. */
    static final double JIT_SETTLED = 0.03;
    static final int MAX_WARMUP_ROUNDS = 12;

    /**
     * The three payloads at once, at saturation, in rounds of {@code 3 × BENCH_WARMUP_SECONDS}, until the JIT has
     * settled: on 2 cores under saturation the compiler threads compete with the event loops, and a fixed warm-up of
     * 15 s left them compiling through the first payload's runs (42% of the samples of a profile of them).
     */
    private void warmUp(CustomsProcess c, List<Payload> payloads) throws IOException, InterruptedException {
        int seconds = 3 * settings.warmupSeconds();
        double share = 1;
        int rounds = 0;
        while (rounds < MAX_WARMUP_ROUNDS && (rounds < 1 || share >= JIT_SETTLED)) {
            Map<String, Double> threads0 = Proc.threadCpu(c.pid());
            hey.mixed("warmup-" + c.name + "-" + rounds, c.validate(), payloads.stream().map(Payload::file).toList(),
                    seconds, settings.concurrency() / payloads.size());
            Map<String, Double> d = delta(threads0, Proc.threadCpu(c.pid()));
            double all = d.values().stream().mapToDouble(Double::doubleValue).sum();
            share = all > 0 ? jit(d) / all : 0;
            rounds++;
            progress(String.format(Locale.ROOT, "warming %s up: round %d of %d s, JIT %.1f%% of its CPU", c.name,
                    rounds, seconds, 100 * share));
        }
        report.warmUp(c.name, rounds * seconds, share, share < JIT_SETTLED);
    }

    /** {@code production} with every rule off: the floor of HTTP, JSON and plumbing. */
    static Map<String, String> floor(Map<String, String> production) {
        Map<String, String> floor = new LinkedHashMap<>(production);
        for (String id : RuleRegistry.IDS) {
            floor.put("customs.rules.\"" + id + "\".action", "off");
        }
        return floor;
    }

    /** The longest wait for the JIT's compiler threads to go quiet before a measured run. */
    static final Duration JIT_QUIET_MAX = Duration.ofSeconds(15);
    /** Compiler threads are quiet when they took less than this much CPU in half a second. */
    static final double JIT_QUIET_CPU_S = 0.005;

    /**
     * Waits, with no load on {@code c}, until its JIT compiler threads are quiet, at most {@link #JIT_QUIET_MAX}: what
     * the previous run's connections deoptimized when they opened and closed is recompiled before the next run is
     * measured, not during it (a pod-10 profile: 141 µs of JIT per review in the first 10 s after a set of new
     * connections, 13–23 µs per review after the next sets). Says how long it waited, and when the JIT was still at
     * work at the end of it: the run's JIT column then shows what it cost.
     */
    static void awaitQuietJit(CustomsProcess c) throws InterruptedException {
        awaitQuietJit(c.pid(), c.name);
    }

    /** {@link #awaitQuietJit(CustomsProcess)} for any JVM: its pid, and its name in the progress line. */
    static void awaitQuietJit(long pid, String name) throws InterruptedException {
        long t0 = System.nanoTime();
        double before = jit(Proc.threadCpu(pid));
        boolean quiet = false;
        while (!quiet && System.nanoTime() - t0 < JIT_QUIET_MAX.toNanos()) {
            Thread.sleep(500);
            double now = jit(Proc.threadCpu(pid));
            quiet = now - before < JIT_QUIET_CPU_S;
            before = now;
        }
        progress(String.format(Locale.ROOT, "  %-8s JIT %s after %.1f s", name, quiet ? "quiet" : "still compiling",
                (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Waits until Customs' start-up warm-up is over: no thread of it is left (at most a minute). Its registry misses,
     * which wait on I/O, can leave the JIT quiet while they still run.
     */
    static void awaitWarmUp(CustomsProcess c) throws InterruptedException {
        long t0 = System.nanoTime();
        boolean running = true;
        while (running && System.nanoTime() - t0 < Duration.ofMinutes(1).toNanos()) {
            running = Proc.threadCpu(c.pid()).keySet().stream().anyMatch(n -> n.startsWith("customs-warm-up"));
            if (running) {
                Thread.sleep(100);
            }
        }
        progress(String.format(Locale.ROOT, "  %-8s warm-up %s after %.1f s", c.name, running ? "still running"
                : "done", (System.nanoTime() - t0) / 1e9));
    }

    /** The CPU seconds of the JIT's compiler threads among {@link Proc#threadCpu} readings (or their deltas). */
    static double jit(Map<String, Double> threads) {
        return threads.entrySet().stream().filter(e -> e.getKey().startsWith(JIT_THREADS))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The JIT's compiler threads, as {@link Proc#threadCpu} names them (C1 and C2, digits as N). */
    static final String JIT_THREADS = "CN CompilerThre";

    private void warmPath(Payload p, CustomsProcess on, CustomsProcess off) throws Exception {
        Settings s = settings;
        progress("warm path: " + p.name() + " (" + p.body().length + " bytes)");
        // two sets of fresh connections: the first sends TLS and Netty code down paths the warm-up's last round left
        // long ago (handshakes, closes), and the JIT recompiles what that deoptimized; the second costs little
        for (int round = 1; round <= 2; round++) {
            for (CustomsProcess c : List.of(on, off)) {
                hey.saturate("rewarm-" + round + "-" + c.name + "-" + p.name(), c.validate(), p.file(), 2,
                        s.concurrency());
            }
        }
        // rounds alternate which process goes first, and each round's ratio is of two runs next to each other in time:
        // one 10 s run of each moved deployment's ratio by 0.2 between benches with nothing changed on its path
        Map<String, List<Measured>> sat = new HashMap<>();
        for (int round = 0; round < s.saturationRounds(); round++) {
            for (CustomsProcess c : round % 2 == 0 ? List.of(on, off) : List.of(off, on)) {
                Measured m = saturation(c, p, round);
                sat.computeIfAbsent(c.name, k -> new ArrayList<>()).add(m);
                progress(String.format(Locale.ROOT, "  %-8s saturation %.0f/s, %.3f CPU ms/review (round %d of %d)",
                        c.name, m.run().throughput(), m.cpuMsPerReview(), round + 1, s.saturationRounds()));
            }
        }
        Map<String, Measured> fixed = new HashMap<>();
        int total = s.rate() * s.rateSeconds();
        for (CustomsProcess c : List.of(on, off)) {
            awaitQuietJit(c);
            double cpu0 = c.cpuSeconds();
            Map<String, Double> threads0 = Proc.threadCpu(c.pid());
            Run r = hey.fixedRate("rate-" + c.name + "-" + p.name(), c.validate(), p.file(), s.rate(), total,
                    s.rateConnections());
            fixed.put(c.name, new Measured(r, c.cpuSeconds() - cpu0, delta(threads0, Proc.threadCpu(c.pid())),
                    Double.NaN, r.answered()));
            progress(String.format(Locale.ROOT, "  %-8s at %d/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms", c.name,
                    s.rate(), r.percentile(50), r.percentile(99), r.percentile(99.9)));
        }
        report.warm(p, sat.get(on.name), fixed.get(on.name), sat.get(off.name), fixed.get(off.name), total);
    }

    /** One saturation run of {@code p} on {@code c}, once its JIT is quiet. */
    private Measured saturation(CustomsProcess c, Payload p, int round) throws Exception {
        Settings s = settings;
        awaitQuietJit(c);
        // read from STEADY_FROM seconds on: the 32 TLS handshakes of hey's new connections are not reviews
        double[] allocated0 = new double[1];
        double[] cpu0 = new double[1];
        List<Map<String, Double>> threads0 = new ArrayList<>();
        Hey.Steady steady = hey.saturate("saturation-" + c.name + "-" + p.name() + "-" + (round + 1), c.validate(),
                p.file(), s.saturationSeconds() + STEADY_FROM_S, s.concurrency(), STEADY_FROM_S, () -> {
                    allocated0[0] = c.allocatedBytes(client);
                    cpu0[0] = c.cpuSeconds();
                    threads0.add(Proc.threadCpu(c.pid()));
                });
        return new Measured(steady.run(), c.cpuSeconds() - cpu0[0], delta(threads0.get(0), Proc.threadCpu(c.pid())),
                c.allocatedBytes(client) - allocated0[0], steady.answeredFrom());
    }

    /**
     * The fixed-rate run of {@code p} against {@link EchoServer}, in a JVM started as Customs is ({@code jvm}, its
     * flags and the chart's), warmed up at saturation and run once its JIT is quiet, as Customs' runs are: the
     * latencies this machine and load generator give a server that does no review, to read Customs' own beside. A
     * failure here is reported, not fatal to the bench.
     */
    private void machineLatency(Payload p, CustomsProcess.Jvm jvm) throws InterruptedException {
        Settings s = settings;
        progress("fixed rate against a server that answers without reviewing (" + p.name() + ")");
        Path dir = env.work().resolve("echo");
        Process echo = null;
        try {
            Files.createDirectories(dir.resolve("tmp"));
            int port = freePort();
            List<String> cmd = CustomsProcess.javaCommand(jvm);
            cmd.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoServer.class.getName(),
                    Integer.toString(port), env.work().resolve("tls.crt").toString(),
                    env.work().resolve("tls.key").toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("echo.log").toFile());
            CustomsProcess.chartEnvironment(pb, env.root());
            echo = pb.start();
            pids().add(echo.pid());
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (!CustomsProcess.accepts(port)) {
                if (!echo.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("it exited or accepted no connection within a minute");
                }
                Thread.sleep(20);
            }
            URI url = URI.create("https://127.0.0.1:" + port + "/validate");
            hey.saturate("echo-warmup-" + p.name(), url, p.file(), 3 * s.warmupSeconds(), s.concurrency());
            awaitQuietJit(echo.pid(), "echo");
            Run r = hey.fixedRate("rate-echo-" + p.name(), url, p.file(), s.rate(), s.rate() * s.rateSeconds(),
                    s.rateConnections());
            report.machineLatency(p, r);
            progress(String.format(Locale.ROOT, "  echo     at %d/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms", s.rate(),
                    r.percentile(50), r.percentile(99), r.percentile(99.9)));
        } catch (IOException | RuntimeException e) {
            report.machineLatencyFailed(e + " (see " + env.root().relativize(dir.resolve("echo.log")) + ")");
            progress("  not measured: " + e);
        } finally {
            if (echo != null) {
                echo.destroy();
                if (!echo.waitFor(30, TimeUnit.SECONDS)) {
                    echo.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * An upper bound on the proxy's own time per request outside the interval it times, which a cold review counts as
     * Customs' own: over 100 keep-alive GETs of a small blob from this JVM's client (after 20 unmeasured ones), a
     * GET's latency minus the proxy's interval for it. It also holds this client's own handling and loopback.
     */
    private void proxyOverhead(TestRegistry registry, RegistryProxy proxy) throws Exception {
        String digest = registry.pushBlob("bench-proxy", new byte[1536]);
        String path = "/v2/bench-proxy/blobs/" + digest;
        awaitRegistryQuiet(proxy); // what earlier reviews started (layer scans, tag checks) is over
        List<Double> outside = new ArrayList<>();
        int sent = 0;
        // the kind of client the reviews are sent with: one kept-alive connection, written and read on this thread
        try (ReviewSocket socket = new ReviewSocket(URI.create("http://" + proxy.authority()))) {
            while (outside.size() < 100 && sent < 1000) {
                proxy.reset();
                long t0 = System.nanoTime();
                socket.get(path);
                long t1 = System.nanoTime();
                // the proxy records a request once its exchange is closed, which can be after the client has it
                List<RegistryProxy.Timed> seen = proxy.timed();
                for (long until = System.nanoTime() + 1_000_000_000L; seen.isEmpty() && System.nanoTime() < until;) {
                    Thread.onSpinWait();
                    seen = proxy.timed();
                }
                // a GET the proxy saw anything else during is not a clean sample
                if (++sent > 20 && seen.size() == 1 && seen.get(0).seen().path().equals(path)) {
                    outside.add((t1 - t0 - (seen.get(0).endNanos() - seen.get(0).startNanos())) / 1e6);
                }
            }
        }
        if (outside.size() < 100) {
            report.proxyOverheadFailed("the proxy saw other requests during most of " + sent + " GETs");
            return;
        }
        double[] sorted = outside.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double p50 = Hey.percentile(sorted, 50);
        double p90 = Hey.percentile(sorted, 90);
        report.proxyOverhead(p50, p90, sorted.length);
        progress(String.format(Locale.ROOT, "  a GET through the proxy outside the proxy's interval: p50 %.2f ms, "
                + "p90 %.2f ms", p50, p90));
    }

    /**
     * The bench's two ways of sending a review, side by side on a warm one (alternating, 200 each): the JDK's
     * HttpClient, and the {@link ReviewSocket} the cold reviews are sent on. What the first costs more is client time
     * that the cold figures would otherwise count as Customs' own.
     */
    private void clientOverhead(CustomsProcess on, ReviewSocket socket, Payload p) throws Exception {
        List<Double> jdk = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long t0 = System.nanoTime();
            review(on, p.body());
            long t1 = System.nanoTime();
            socket.post(p.body());
            long t2 = System.nanoTime();
            jdk.add((t1 - t0) / 1e6);
            direct.add((t2 - t1) / 1e6);
        }
        double[] a = jdk.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] b = direct.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        report.clientOverhead(p.name(), Hey.percentile(a, 50), Hey.percentile(b, 50), a.length);
        progress(String.format(Locale.ROOT, "  a warm %s review: p50 %.2f ms with the JDK's HttpClient, %.2f ms on "
                + "the review socket", p.name(), Hey.percentile(a, 50), Hey.percentile(b, 50)));
    }

    /** CPU seconds per thread group between two readings. */
    private static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.forEach((name, cpu) -> out.put(name, cpu - before.getOrDefault(name, 0.0)));
        return out;
    }

    /** One load run, the CPU time Customs spent during it, by which threads, and the bytes it allocated (or NaN). */
    record Measured(Run run, double cpuSeconds, Map<String, Double> threads, double allocatedBytes, int reviews) {
        double cpuMsPerReview() {
            return 1000 * cpuSeconds / reviews;
        }

        double allocatedKbPerReview() {
            return allocatedBytes / 1024 / reviews;
        }

        /** Microseconds of CPU per review spent by threads whose (truncated, digits as N) name starts with a prefix. */
        double usPerReview(String... prefixes) {
            double sum = 0;
            for (Map.Entry<String, Double> e : threads.entrySet()) {
                for (String p : prefixes) {
                    if (e.getKey().startsWith(p)) {
                        sum += e.getValue();
                        break;
                    }
                }
            }
            return 1e6 * sum / reviews;
        }
    }

    // ---- registry requests of warm reviews ----

    private void warmRegistryRequests(RegistryProxy proxy, CustomsProcess c, Payload p, String scenario, Duration ttl)
            throws Exception {
        progress("registry requests of " + settings.warmReviews() + " warm reviews of " + p.name() + " (" + scenario
                + ")");
        awaitRegistryQuiet(proxy);
        proxy.reset();
        Run r = hey.fixedRate("warm-registry-" + c.name, c.validate(), p.file(), settings.rate(),
                settings.warmReviews(), settings.rateConnections());
        List<RegistryProxy.Seen> seen = proxy.seen();
        long heads = seen.stream().filter(x -> x.method().equals("HEAD")).count();
        long gets = seen.stream().filter(x -> !x.method().equals("HEAD")).count();
        long digestRefs = seen.stream().filter(x -> p.byDigest().stream()
                .anyMatch(repo -> x.path().startsWith("/v2/" + repo + "/"))).count();
        Map<String, Long> perTag = new LinkedHashMap<>();
        seen.stream().filter(x -> x.method().equals("HEAD"))
                .forEach(x -> perTag.merge(x.path(), 1L, Long::sum));
        long tags = p.images().stream().filter(i -> !p.byDigest().contains(i.repo())).count();
        long perTtl = (long) Math.ceil(r.seconds() / (ttl.toMillis() / 1000.0)) + 1;
        long maxPerTag = perTag.values().stream().mapToLong(Long::longValue).max().orElse(0);
        report.warmRegistry(scenario, p, r, heads, gets, digestRefs, tags, perTtl, maxPerTag);
        progress("  " + heads + " HEADs, " + gets + " GETs (" + digestRefs + " for digest references)");
        seen.stream().filter(x -> !x.method().equals("HEAD") || p.byDigest().stream()
                .anyMatch(repo -> x.path().startsWith("/v2/" + repo + "/")))
                .forEach(x -> progress("    " + x.method() + " " + x.path()));
    }

    /**
     * Waits until no request has arrived at the registry or been in flight there for {@link #REGISTRY_QUIET} (at most
     * a minute; {@link RegistryProxy#awaitQuiet}): the work earlier reviews started (a layer scan goes on after its
     * review was answered) is then over, and what follows is the warm reviews' own.
     */
    private static void awaitRegistryQuiet(RegistryProxy proxy) throws InterruptedException {
        long start = System.nanoTime();
        int first = proxy.seen().size();
        boolean quiet = proxy.awaitQuiet(REGISTRY_QUIET, Duration.ofMinutes(1));
        long waited = System.nanoTime() - start - (quiet ? REGISTRY_QUIET.toNanos() : 0);
        progress(String.format(Locale.ROOT, "  the registry went quiet after %.1f s (%d requests meanwhile)%s",
                waited / 1e9, proxy.seen().size() - first, quiet ? "" : "; still busy after a minute"));
    }

    /** How long the registry must see no request before warm reviews are counted. */
    static final Duration REGISTRY_QUIET = Duration.ofSeconds(2);

    // ---- cold path ----

    private void coldPath(TestRegistry registry, RegistryProxy proxy, CustomsProcess on, Payloads templates,
            List<Payload> payloads) throws Exception {
        Settings s = settings;
        progress("cold path: the proxy now adds " + s.coldDelayMs() + " ms to every registry request");
        try (ReviewSocket socket = new ReviewSocket(tls, on.validate())) {
            for (int i = 0; i < 1000; i++) {
                // warms both clients (TLS, JIT): only Customs' time is measured below. The socket's answers took
                // 1.2 ms at p50 over its first 500 reviews and 0.5 ms after 1000, against a Customs whose answer hey
                // (Go) times at 0.3 ms
                review(on, payloads.get(0).body());
                socket.post(payloads.get(0).body());
            }
        }
        awaitWarmUp(on); // with BENCH_ONLY=cold, Customs started just now
        awaitQuietJit(on); // as before every measured run
        proxyOverhead(registry, proxy);
        // a new connection: Customs closes one idle for its idle timeout, which the waits above may outlast
        try (ReviewSocket socket = new ReviewSocket(tls, on.validate())) {
            clientOverhead(on, socket, payloads.get(0));
            coldTrials(registry, proxy, on, socket, templates, payloads);
        }
    }

    private void coldTrials(TestRegistry registry, RegistryProxy proxy, CustomsProcess on, ReviewSocket socket,
            Payloads templates, List<Payload> payloads) throws Exception {
        Settings s = settings;
        proxy.delay(Duration.ofMillis(s.coldDelayMs()));
        try {
            for (Payload p : payloads) {
                List<ColdTrial> trials = new ArrayList<>();
                hook("start", "cold-" + p.name(), on.pid());
                for (int t = 0; t < s.coldTrials(); t++) {
                    String prefix = "cold-" + p.name() + "-" + t;
                    Set<String> configs = new HashSet<>();
                    Map<String, String> digests = BenchImages.push(registry, prefix, configs);
                    Payload fresh = templates.render(p.name(), proxy.authority() + "/" + prefix, digests,
                            env.work().resolve("payloads/" + prefix + ".json"));
                    double[] clock0 = on.admissionClock(client);
                    proxy.reset();
                    Proc.CpuNanos cpu0 = on.cpuNanos();
                    long t0 = System.nanoTime();
                    byte[] body = socket.post(fresh.body());
                    long t1 = System.nanoTime();
                    JsonNode answer = MAPPER.readTree(body);
                    Proc.CpuNanos cpu = on.cpuNanos().minus(cpu0);
                    requireVerified(answer, p.name());
                    double[] clock1 = on.admissionClock(client);
                    // Customs' own clock for this one review, when it was the only one it answered meanwhile
                    double customsMs = clock1[1] - clock0[1] == 1 ? (clock1[0] - clock0[0]) * 1e3 : Double.NaN;
                    trials.add(ColdTrial.of((t1 - t0) / 1e6, proxy.timed(), configs, cpu.nanos() / 1e6,
                            cpu.compilerNanos() / 1e6, customsMs));
                    timeline(prefix, t0, t1, proxy.timed());
                }
                hook("stop", "cold-" + p.name(), on.pid());
                int minimum = p.images().stream().mapToInt(BenchImages.Image::minimumRequests).sum();
                int roundTrips = p.images().stream().mapToInt(BenchImages.Image::roundTrips).max().orElse(0);
                report.cold(p, minimum, roundTrips, trials);
                progress(String.format(Locale.ROOT, "  %s: %s", p.name(), trials));
            }
            burst(registry, proxy, on, templates, payloads.get(0));
        } finally {
            proxy.delay(Duration.ZERO);
        }
    }

    /** Appends when each registry request of a cold review ran, relative to the review, to bench/work/cold.txt. */
    private void timeline(String trial, long t0, long t1, List<RegistryProxy.Timed> timed) throws IOException {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: review answered after %.1f ms%n", trial,
                (t1 - t0) / 1e6));
        timed.stream().sorted((a, b) -> Long.compare(a.startNanos(), b.startNanos())).forEach(t -> sb.append(String
                .format(Locale.ROOT, "  %7.1f → %7.1f ms  %-4s %s%n", (t.startNanos() - t0) / 1e6,
                        (t.endNanos() - t0) / 1e6, t.seen().method(), t.seen().path())));
        Files.writeString(env.work().resolve("cold.txt"), sb.toString(), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /**
     * One cold review: its latency and the registry requests it caused, with their timing; {@code customsMs} is the
     * review's time on Customs' own clock ({@code customs_admission_duration_seconds}: from its body's end to its
     * decision), NaN when it could not be told apart.
     */
    record ColdTrial(double latencyMs, int requests, long manifests, long blobs, long heads, int layers,
            double busyMs, double cpuMs, double jitMs, double customsMs) {

        /**
         * @param timed every request the proxy answered during the review
         * @param configs the digests of the images' configs: any other blob is a layer, which only the layer scan
         *        reads, after the image's config was judged and, for an image of pod-10 among others, while the review
         *        still waits for other images. It is not the review's: it counts neither as a request nor as busy time.
         */
        static ColdTrial of(double latencyMs, List<RegistryProxy.Timed> timed, Set<String> configs, double cpuMs,
                double jitMs, double customsMs) {
            List<RegistryProxy.Timed> review = timed.stream().filter(t -> !isLayer(t, configs)).toList();
            long manifests = review.stream().filter(t -> t.seen().method().equals("GET")
                    && t.seen().path().contains("/manifests/")).count();
            long blobs = review.stream().filter(t -> t.seen().path().contains("/blobs/")).count();
            long heads = review.stream().filter(t -> t.seen().method().equals("HEAD")).count();
            return new ColdTrial(latencyMs, review.size(), manifests, blobs, heads, timed.size() - review.size(),
                    busyMs(review), cpuMs, jitMs, customsMs);
        }

        private static boolean isLayer(RegistryProxy.Timed t, Set<String> configs) {
            String path = t.seen().path();
            int at = path.lastIndexOf("/blobs/");
            return at >= 0 && !configs.contains(path.substring(at + "/blobs/".length()));
        }

        /** Time during which at least one registry request was in flight: the union of their intervals. */
        static double busyMs(List<RegistryProxy.Timed> timed) {
            long[][] spans = timed.stream().map(t -> new long[] { t.startNanos(), t.endNanos() })
                    .sorted((a, b) -> Long.compare(a[0], b[0])).toArray(long[][]::new);
            long busy = 0;
            long start = Long.MIN_VALUE;
            long end = Long.MIN_VALUE;
            for (long[] s : spans) {
                if (s[0] > end) {
                    busy += end - start;
                    start = s[0];
                    end = s[1];
                } else {
                    end = Math.max(end, s[1]);
                }
            }
            busy += end - start;
            return busy / 1e6;
        }

        double ownMs() {
            return latencyMs - busyMs;
        }

        /** The same, on Customs' clock: without the bench client's sending and reading, and the answer's write. */
        double customsOwnMs() {
            return customsMs - busyMs;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f ms (registry %.1f ms, %d requests, %d layer GETs; on Customs' "
                    + "clock %.1f ms; Customs' CPU %.1f ms, of which the JIT's %.1f)", latencyMs, busyMs, requests,
                    layers, customsMs, cpuMs, jitMs);
        }
    }

    private void burst(TestRegistry registry, RegistryProxy proxy, CustomsProcess on, Payloads templates, Payload pod)
            throws Exception {
        int n = settings.burst();
        progress("burst: " + n + " concurrent reviews of one new image");
        // open n keep-alive connections first, so the burst measures Customs and not n TLS handshakes
        List<CompletableFuture<HttpResponse<byte[]>>> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            open.add(send(on, pod.body()));
        }
        CompletableFuture.allOf(open.toArray(CompletableFuture[]::new)).join();
        BenchImages.Image web = pod.images().get(0);
        String digest = BenchImages.pushSingle(registry, "burst/" + web.repo(), web.tag(), web);
        Payload fresh = templates.render(pod.name(), proxy.authority() + "/burst", Map.of(),
                env.work().resolve("payloads/burst.json"));
        // the cold reviews' layer scans, which go on after their answers, are over: the burst's own layer scan does
        // not queue behind them
        awaitRegistryQuiet(proxy);
        Map<String, Double> before = resolutions(on);
        proxy.reset();
        long[] starts = new long[n];
        long[] ends = new long[n];
        List<CompletableFuture<HttpResponse<byte[]>>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            starts[i] = System.nanoTime();
            sent.add(send(on, fresh.body()).whenComplete((r, e) -> ends[index] = System.nanoTime()));
        }
        for (CompletableFuture<HttpResponse<byte[]>> f : sent) {
            requireVerified(answer(on, f.join()), "burst");
        }
        // the layer scan reads the image's layer after the answers: counted once the registry is quiet again
        awaitRegistryQuiet(proxy);
        timeline("burst", Arrays.stream(starts).min().orElse(0), Arrays.stream(ends).max().orElse(0), proxy.timed());
        Map<String, Double> after = resolutions(on);
        double[] lat = new double[n];
        for (int i = 0; i < n; i++) {
            lat[i] = (ends[i] - starts[i]) / 1e6;
        }
        Arrays.sort(lat);
        long first = Arrays.stream(starts).min().orElse(0);
        long last = Arrays.stream(starts).max().orElse(0);
        // only the burst image's requests: layer scans of the cold path's images may still be running meanwhile
        List<RegistryProxy.Seen> all = proxy.seen();
        List<RegistryProxy.Seen> seen = all.stream().filter(x -> x.path().startsWith("/v2/burst/")).toList();
        long manifests = seen.stream().filter(x -> x.method().equals("GET") && x.path().contains("/manifests/"))
                .count();
        long blobs = seen.stream().filter(x -> x.path().contains("/blobs/")).count();
        // the config, and the layer the layer scan reads (issue 12): each should be fetched once for all n reviews
        long distinctBlobs = seen.stream().filter(x -> x.path().contains("/blobs/")).map(RegistryProxy.Seen::path)
                .distinct().count();
        report.burst(n, digest, seen.size(), manifests, blobs, distinctBlobs, lat, (last - first) / 1e6,
                after.getOrDefault("miss", 0.0) - before.getOrDefault("miss", 0.0),
                after.getOrDefault("hit", 0.0) - before.getOrDefault("hit", 0.0), all.size() - seen.size());
        progress("  " + seen.size() + " registry requests: " + manifests + " manifest GETs, " + blobs + " blob GETs"
                + " (and " + (all.size() - seen.size()) + " for other images meanwhile)");
    }

    // ---- talking to Customs ----

    private HttpRequest request(CustomsProcess c, byte[] body) {
        return HttpRequest.newBuilder(c.validate()).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private CompletableFuture<HttpResponse<byte[]>> send(CustomsProcess c, byte[] body) {
        return client.sendAsync(request(c, body), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode review(CustomsProcess c, byte[] body) throws IOException, InterruptedException {
        return answer(c, client.send(request(c, body), HttpResponse.BodyHandlers.ofByteArray()));
    }

    private static JsonNode answer(CustomsProcess c, HttpResponse<byte[]> r) throws IOException {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Customs (" + c.name + ") answered " + r.statusCode() + ": "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        return MAPPER.readTree(r.body());
    }

    /** "allowed", or "denied: " and the rules; fails when an image could not be inspected (a broken set-up). */
    private String verdict(CustomsProcess c, byte[] body) throws IOException, InterruptedException {
        JsonNode r = review(c, body);
        requireVerified(r, c.name);
        JsonNode response = r.path("response");
        if (response.path("allowed").asBoolean()) {
            return "allowed";
        }
        List<String> rules = new ArrayList<>();
        response.at("/status/details/causes").forEach(cause -> {
            if (!rules.contains(cause.path("reason").asText())) {
                rules.add(cause.path("reason").asText());
            }
        });
        return "denied: " + String.join(", ", rules);
    }

    private static void requireVerified(JsonNode review, String what) {
        String text = review.toString();
        if (text.contains("image-unverified")) {
            throw new IllegalStateException("Customs could not inspect an image (" + what + "): "
                    + review.path("response"));
        }
    }

    /** customs_image_resolutions_total by result, from the management port. */
    private Map<String, Double> resolutions(CustomsProcess c) throws IOException, InterruptedException {
        String text = client.send(HttpRequest.newBuilder(c.metrics()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> out = new HashMap<>();
        Matcher m = RESOLUTIONS.matcher(text);
        while (m.find()) {
            out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return out;
    }

    // ---- set-up ----

    /**
     * The configuration file the Helm chart renders with its defaults, taken from {@code deploy/customs.yaml} (the
     * ConfigMap's {@code application.properties}), so the bench runs what a default install runs.
     */
    static Path productionConfig(Path root, Path work) throws IOException {
        List<String> lines = Files.readAllLines(root.resolve("deploy/customs.yaml"));
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("application.properties: |")) {
                start = i + 1;
                break;
            }
        }
        if (start < 0) {
            throw new IllegalStateException("deploy/customs.yaml has no application.properties");
        }
        String indent = lines.get(start).substring(0, lines.get(start).length() - lines.get(start).stripLeading()
                .length());
        StringBuilder out = new StringBuilder();
        for (int i = start; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.isBlank() && !line.startsWith(indent)) {
                break;
            }
            out.append(line.isBlank() ? "" : line.substring(indent.length())).append('\n');
        }
        Path file = Files.createDirectories(work.resolve("config")).resolve("application.properties");
        Files.writeString(file, out.toString());
        return file;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void progress(String line) {
        PROGRESS.println("bench: " + line);
    }

    /**
     * {@code BENCH_HOOK}: a command run as {@code <hook> start|stop <run label> <Customs' pid>} around each measured run
     * of the audit bench and around each payload's cold reviews, e.g. to attach a profiler for exactly that run. The
     * run waits for it (at most 30 s); its output goes to the bench's. Unset, nothing runs.
     */
    static void hook(String phase, String label, long pid) {
        String hook = System.getenv("BENCH_HOOK");
        if (hook == null || hook.isBlank()) {
            return;
        }
        try {
            Process p = new ProcessBuilder(hook.strip(), phase, label, Long.toString(pid)).inheritIO().start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                progress("BENCH_HOOK " + phase + " " + label + " did not end within 30 s");
            }
        } catch (IOException e) {
            progress("BENCH_HOOK could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }
}
