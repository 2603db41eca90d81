package dev.customs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Customs as it runs in production, as a child process: {@code java -jar target/quarkus-app/quarkus-run.jar} with the
 * image's JVM flags, the configuration file the Helm chart renders ({@code QUARKUS_CONFIG_LOCATIONS}), HTTPS with the
 * bench certificate, and the bench's overrides as system properties. Measures the time from exec to the first answered
 * review, and reads CPU time and memory from {@code /proc}.
 */
final class CustomsProcess implements AutoCloseable {

    /**
     * Run as root, the chart's {@code -XX:ThreadPriorityPolicy=1} gives the JVM's compiler, GC and VM threads nice -4,
     * ahead of admission's event loops; in the chart's pod (non-root, every capability dropped) raising a priority
     * fails and they stay at nice 0. So as root the bench starts Customs under {@code setpriv} without
     * {@code CAP_SYS_NICE}, as the pod runs it. Empty when not root or without setpriv.
     */
    static final List<String> UNPRIVILEGED = "0".equals(uid()) && Files.isExecutable(Path.of("/usr/bin/setpriv"))
            ? List.of("/usr/bin/setpriv", "--bounding-set=-sys_nice")
            : List.of();

    private static String uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).strip().split("\\s+")[0];
                }
            }
        } catch (IOException e) {
            // not Linux: no setpriv either
        }
        return "";
    }

    /**
     * The image's entrypoint flags, read from {@code quarkus.jib.jvm-entrypoint} in application.properties (relative to
     * the working directory: bench/run starts the bench in the project's root) but for its AOT cache (each start-up row
     * says which archive or cache it uses), with {@code -XX:MaxRAM} standing in for the chart's 512Mi memory limit and
     * {@code -XX:-UsePerfData} (no {@code /tmp/hsperfdata_*} file outside bench/work). The chart's own JVM options
     * ({@code JDK_JAVA_OPTIONS} of deploy/customs.yaml: heap, young generation, ...) are passed as the chart passes
     * them, see {@link #chartJvmOptions}.
     */
    static final List<String> JVM_FLAGS = imageFlags(Path.of("src/main/resources/application.properties"));

    /** {@link #JVM_FLAGS} from the application.properties at {@code properties}. */
    static List<String> imageFlags(Path properties) {
        List<String> entrypoint = imageEntrypoint(properties);
        List<String> flags = new ArrayList<>(List.of("-XX:MaxRAM=512m"));
        entrypoint.subList(1, entrypoint.indexOf("-jar")).stream().filter(f -> !f.startsWith("-XX:AOTCache="))
                .forEach(flags::add);
        flags.add("-XX:-UsePerfData");
        return List.copyOf(flags);
    }

    /**
     * The image's entrypoint, {@code quarkus.jib.jvm-entrypoint} of the application.properties at {@code properties}:
     * its java, flags, {@code -jar} and jar.
     */
    static List<String> imageEntrypoint(Path properties) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(properties)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the bench runs from the project's root: " + e.getMessage(), e);
        }
        return List.of(p.getProperty("quarkus.jib.jvm-entrypoint").split(","));
    }

    /** The chart's JVM options, the value of {@code JDK_JAVA_OPTIONS} in deploy/customs.yaml. */
    static String chartJvmOptions(Path root) throws IOException {
        List<String> lines = Files.readAllLines(root.resolve("deploy/customs.yaml"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).strip().equals("- name: JDK_JAVA_OPTIONS")) {
                String value = lines.get(i + 1).strip();
                if (value.startsWith("value: ")) {
                    return value.substring(7).replace("\"", "");
                }
            }
        }
        throw new IllegalStateException("deploy/customs.yaml sets no JDK_JAVA_OPTIONS");
    }

    /**
     * How long a start may take before the bench gives up on it: only a bound for a start that hangs. A cold JVM on a
     * busy machine (builds of other developers on the same two cores, a training run that records every class) takes
     * many times its quiet figure, and a start that is slow is a figure, not a failure. {@code BENCH_START_LIMIT}
     * (seconds) changes it.
     */
    static final Duration START_LIMIT = Duration.ofSeconds(Long.parseLong(System.getenv().getOrDefault(
            "BENCH_START_LIMIT", "300")));

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");
    private static final Pattern ADMISSION_CLOCK = Pattern
            .compile("(?m)^customs_admission_duration_seconds_(sum|count)(?:\\{[^}]*})?\\s+(\\S+)");
    private static final Pattern ALLOCATED = Pattern
            .compile("(?m)^jvm_gc_memory_allocated_bytes_total(?:\\{[^}]*})?\\s+(\\S+)");
    private static final Pattern PAUSES = Pattern.compile("(?m)^jvm_gc_pause_seconds_count\\{([^}]*)}\\s+(\\S+)");

    /**
     * Which JVM runs Customs: the bench's own (JDK 17) by default; the start-up comparison also runs JDK 25, with and
     * without an AOT cache made by a training run.
     *
     * @param label how the results name it
     * @param java the {@code java} executable
     * @param flags flags added to {@link #JVM_FLAGS}
     * @param jar the jar it runs: a fast-jar's {@code quarkus-run.jar} or the class-path launcher beside it; null for
     *        the build's {@code quarkus-run.jar}, in target/quarkus-app
     */
    record Jvm(String label, Path java, List<String> flags, Path jar) {
        Jvm(String label, Path java, List<String> flags) {
            this(label, java, flags, null);
        }

        static Jvm current() {
            return new Jvm("JDK " + Runtime.version().feature(), Path.of(System.getProperty("java.home"), "bin",
                    "java"), List.of());
        }
    }

    final String name;
    private final Process process;
    private final Path log;
    final int httpsPort;
    final int managementPort;
    final Duration firstAnswer;
    /** From exec to the first TCP connection the HTTPS port accepted. */
    final Duration firstAccept;
    /** Customs' CPU time (all threads) when the first review was answered. */
    final double cpuAtFirstAnswer;
    final int attempts;
    /** The answering poll itself: its TLS handshake and its total time, seconds, as curl measured them. */
    final double firstHandshake;
    final double firstTotal;

    private CustomsProcess(String name, Process process, Path log, int httpsPort, int managementPort,
            Duration firstAnswer, Duration firstAccept, double cpuAtFirstAnswer, int attempts, double firstHandshake,
            double firstTotal) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.httpsPort = httpsPort;
        this.managementPort = managementPort;
        this.firstAnswer = firstAnswer;
        this.firstAccept = firstAccept;
        this.cpuAtFirstAnswer = cpuAtFirstAnswer;
        this.attempts = attempts;
        this.firstHandshake = firstHandshake;
        this.firstTotal = firstTotal;
    }

    static CustomsProcess start(String name, Bench.Env env, Map<String, String> overrides, Path probe)
            throws IOException, InterruptedException {
        return start(name, env, overrides, probe, Jvm.current());
    }

    /**
     * Starts Customs on {@code jvm}, waits for its HTTPS port to accept a TCP connection (probed from this process
     * every few milliseconds: a curl process per poll would cost the machine more CPU than Customs' start), then
     * posts {@code probe} with curl (which needs no warm-up) until it answers 200.
     */
    static CustomsProcess start(String name, Bench.Env env, Map<String, String> overrides, Path probe, Jvm jvm)
            throws IOException, InterruptedException {
        int https = Bench.freePort();
        int management = Bench.freePort();
        Path dir = Files.createDirectories(env.work().resolve("customs-" + name));
        Path log = dir.resolve("customs.log");
        List<String> cmd = javaCommand(jvm);
        cmd.addAll(extraFlags(dir));
        cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")));
        cmd.add("-Dquarkus.http.ssl-port=" + https);
        cmd.add("-Dquarkus.http.port=" + Bench.freePort());
        cmd.add("-Dquarkus.management.port=" + management);
        cmd.add("-Dquarkus.tls.webhook.key-store.pem.0.cert=" + env.work().resolve("tls.crt"));
        cmd.add("-Dquarkus.tls.webhook.key-store.pem.0.key=" + env.work().resolve("tls.key"));
        overrides.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add((jvm.jar() != null ? jvm.jar() : env.root().resolve("target/quarkus-app/quarkus-run.jar")).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("QUARKUS_CONFIG_LOCATIONS", env.config().toString());
        chartEnvironment(pb, env.root());
        pb.environment().put("POD_NAMESPACE", "customs");
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().remove("KUBECONFIG");

        long t0 = System.nanoTime();
        Process p = pb.start();
        Bench.pids().add(p.pid());
        int attempts = 0;
        long deadline = t0 + START_LIMIT.toNanos();
        while (!accepts(https)) {
            if (!p.isAlive()) {
                throw new IllegalStateException(exited(name, jvm, p, log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException(tooSlow(name, jvm, "did not accept a connection on its HTTPS port",
                        log));
            }
            Thread.sleep(2);
        }
        Duration accepted = Duration.ofNanos(System.nanoTime() - t0);
        double[] poll;
        while (true) {
            attempts++;
            if (!p.isAlive()) {
                throw new IllegalStateException(exited(name, jvm, p, log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException(tooSlow(name, jvm, "accepted connections but answered no review",
                        log));
            }
            poll = curl(env, https, probe);
            if (poll[0] == 200) {
                break;
            }
            Thread.sleep(2);
        }
        Duration first = Duration.ofNanos(System.nanoTime() - t0);
        double cpu = Proc.cpuSeconds(p.pid());
        return new CustomsProcess(name, p, log, https, management, first, accepted, cpu, attempts, poll[1], poll[2]);
    }

    private static String exited(String name, Jvm jvm, Process p, Path log) {
        return "Customs (" + name + ", " + jvm.label() + ") exited with status " + p.exitValue()
                + " before it answered a review; its log, " + log + ", ends with:\n" + tail(log);
    }

    private static String tooSlow(String name, Jvm jvm, String what, Path log) {
        return "Customs (" + name + ", " + jvm.label() + ") " + what + " within " + START_LIMIT.toSeconds()
                + " s of exec (BENCH_START_LIMIT); load average " + Proc.loadAverage()
                + " (above 2 on 2 cores the machine is busy: run the bench when it is quiet, or raise the limit); "
                + "its log, " + log + ", ends with:\n" + tail(log);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** The start of a command that runs {@code jvm} as the chart runs Customs: unprivileged, with the image's flags. */
    static List<String> javaCommand(Jvm jvm) {
        List<String> cmd = new ArrayList<>(UNPRIVILEGED);
        cmd.add(jvm.java().toString());
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(jvm.flags());
        return cmd;
    }

    /** What the chart's pod sets in the environment of Customs' JVM: its JVM options and malloc's arenas. */
    static void chartEnvironment(ProcessBuilder pb, Path root) throws IOException {
        pb.environment().put("JDK_JAVA_OPTIONS", chartJvmOptions(root));
        pb.environment().put("MALLOC_ARENA_MAX", "2");
    }

    /** True when something accepts a TCP connection on the loopback port (within 100 ms). */
    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Bytes the JVM has allocated so far, from {@code jvm_gc_memory_allocated_bytes_total} (counted at each young
     * collection, so exact over runs that span many); NaN when the metric is missing.
     */
    double allocatedBytes(java.net.http.HttpClient client) {
        String text = metricsText(client);
        Matcher m = text == null ? null : ALLOCATED.matcher(text);
        try {
            return m != null && m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * {@code customs_admission_duration_seconds}: its sum (seconds) and its count, from the metrics page; NaN for what
     * it does not hold (or when it cannot be read).
     */
    double[] admissionClock(java.net.http.HttpClient client) {
        return admissionClock(metricsText(client));
    }

    static double[] admissionClock(String metrics) {
        double[] out = { Double.NaN, Double.NaN };
        Matcher m = metrics == null ? null : ADMISSION_CLOCK.matcher(metrics);
        while (m != null && m.find()) {
            out[m.group(1).equals("sum") ? 0 : 1] = Double.parseDouble(m.group(2));
        }
        return out;
    }

    /** The process's metrics page; null when it cannot be read. */
    private String metricsText(java.net.http.HttpClient client) {
        try {
            return client.send(java.net.http.HttpRequest.newBuilder(metrics()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Full collections so far: the count of {@code jvm_gc_pause_seconds} pauses whose action is {@code end of major GC}
     * (SerialGC's MarkSweepCompact; a series appears with the first such pause). NaN when the metrics do not hold the
     * JVM's GC figures at all, so that a missing binder never reads as none.
     */
    double fullGcs(java.net.http.HttpClient client) {
        String text = metricsText(client);
        try {
            return text == null ? Double.NaN : fullGcs(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** {@link #fullGcs(java.net.http.HttpClient)} of a Prometheus exposition. */
    static double fullGcs(String metrics) {
        if (!ALLOCATED.matcher(metrics).find()) {
            return Double.NaN;
        }
        double n = 0;
        Matcher m = PAUSES.matcher(metrics);
        while (m.find()) {
            if (m.group(1).contains("action=\"end of major GC\"")) {
                n += Double.parseDouble(m.group(2));
            }
        }
        return n;
    }

    /**
     * {@code BENCH_JAVA_OPTS}: more JVM flags for Customs, e.g. {@code -XX:StartFlightRecording=filename=@DIR@/rec.jfr}
     * to profile ({@code @DIR@} is the process's directory under bench/work). Named in the results when set.
     */
    static List<String> extraFlags(Path dir) {
        String opts = System.getenv("BENCH_JAVA_OPTS");
        if (opts == null || opts.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String o : opts.strip().split("\\s+")) {
            out.add(o.replace("@DIR@", dir.toString()));
        }
        return out;
    }

    /** One poll: HTTP status (0 when there was no answer), TLS handshake done and total time, seconds. */
    private static double[] curl(Bench.Env env, int port, Path body) throws IOException, InterruptedException {
        Process c = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w",
                "%{http_code} %{time_appconnect} %{time_total}", "--max-time", "10",
                "--cacert", env.work().resolve("tls.crt").toString(), "-H", "Content-Type: application/json",
                "--data-binary", "@" + body, "https://127.0.0.1:" + port + "/validate").redirectErrorStream(true)
                .start();
        String[] out = new String(c.getInputStream().readAllBytes()).strip().split(" ");
        c.waitFor();
        try {
            return new double[] { Integer.parseInt(out[0]), Double.parseDouble(out[1]), Double.parseDouble(out[2]) };
        } catch (RuntimeException e) {
            return new double[] { 0, 0, 0 };
        }
    }

    long pid() {
        return process.pid();
    }

    URI validate() {
        return URI.create("https://127.0.0.1:" + httpsPort + "/validate");
    }

    URI metrics() {
        return URI.create("http://127.0.0.1:" + managementPort + "/q/metrics");
    }

    /** Quarkus' own "started in" figure from the log, in seconds. */
    Optional<String> startedIn() {
        try {
            Matcher m = STARTED.matcher(Files.readString(log));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** User plus system CPU time so far, from {@code /proc/<pid>/stat}. */
    double cpuSeconds() {
        return Proc.cpuSeconds(process.pid());
    }

    /** The CPU time of its threads, nanoseconds, and of those the JIT's ({@link Proc#cpuNanos}). */
    Proc.CpuNanos cpuNanos() {
        return Proc.cpuNanos(process.pid());
    }

    /** Peak resident set size (VmHWM), KiB. */
    long peakRssKib() {
        return Proc.status(process.pid(), "VmHWM");
    }

    long rssKib() {
        return Proc.status(process.pid(), "VmRSS");
    }

    /** SIGTERM, as the kubelet sends it; forcibly after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
