package dev.customs.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

import dev.customs.image.registry.TestCerts;
import dev.customs.image.registry.TestRegistry;

/**
 * The packaged Customs as the Helm chart runs it ({@link ChartRuntime}): the image's Java and its flags, the chart's
 * {@code JDK_JAVA_OPTIONS} and environment, its configuration file, HTTPS with a certificate of a test CA, on loopback
 * ports. Reads the process's memory from {@code /proc} and its heap after a full collection with {@code jcmd}.
 */
final class ProductionProcess implements AutoCloseable {

    /** SerialGC's generations in {@code GC.heap_info}: JDK 17 names them in words, JDK 25 DefNew and Tenured. */
    /** The last line of {@code GC.class_histogram}: instances, then bytes. */
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    final ChartRuntime chart;
    private volatile String lastHistogram = "";
    private final Process process;
    private final Path log;
    final int port;
    final int managementPort;
    final SSLContext tls;

    private ProductionProcess(ChartRuntime chart, Process process, Path log, int port, int managementPort,
            SSLContext tls) {
        this.chart = chart;
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
        this.tls = tls;
    }

    /**
     * Starts Customs as the chart runs it, with {@code overrides} as {@code -D} options (what a test needs besides the
     * chart: its registry, a shorter TTL) and {@code jvmOptions} after the chart's (a later option wins), and waits
     * until it is ready.
     */
    static ProductionProcess start(String name, Map<String, String> overrides, List<String> jvmOptions)
            throws Exception {
        ChartRuntime chart = ChartRuntime.defaults();
        Path jar = Path.of(System.getProperty("reliability.app.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist: *ProcessIT tests run the packaged "
                    + "application; run them with ./mvnw verify, which packages first");
        }
        Path dir = Files.createDirectories(Path.of("target", "reliability", name));
        X509Certificate ca = TestCerts.writeServerFiles(dir.resolve("tls"));
        Path config = dir.resolve("application.properties");
        Files.writeString(config, chart.config());
        Path log = dir.resolve("customs.log");
        int port = TestRegistry.freePort();
        int management = TestRegistry.freePort();

        List<String> cmd = new ArrayList<>();
        cmd.add(ChartRuntime.jdk().resolve("bin/java").toString());
        cmd.addAll(chart.imageJvmFlags());
        cmd.addAll(jvmOptions);
        cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")).toAbsolutePath());
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        cmd.add("-Dquarkus.http.ssl-port=" + port);
        cmd.add("-Dquarkus.http.port=" + TestRegistry.freePort());
        cmd.add("-Dquarkus.management.host=127.0.0.1");
        cmd.add("-Dquarkus.management.port=" + management);
        cmd.add("-Dquarkus.tls.webhook.key-store.pem.0.cert=" + dir.resolve("tls/tls.crt").toAbsolutePath());
        cmd.add("-Dquarkus.tls.webhook.key-store.pem.0.key=" + dir.resolve("tls/tls.key").toAbsolutePath());
        overrides.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        chart.env().forEach((k, v) -> {
            if (!k.equals("QUARKUS_CONFIG_LOCATIONS")) {
                pb.environment().put(k, v);
            }
        });
        // JDK_JAVA_OPTIONS: the chart's options, read by the java launcher before the command line, as in the image
        pb.environment().put("QUARKUS_CONFIG_LOCATIONS", config.toAbsolutePath().toString());
        pb.environment().put("POD_NAMESPACE", "customs");
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().put("KUBECONFIG", dir.resolve("no-kubeconfig").toAbsolutePath().toString());
        ProductionProcess p = new ProductionProcess(chart, pb.start(), log, port, management, TestCerts.trusting(ca));
        try {
            p.awaitReady(Duration.ofSeconds(90));
        } catch (Exception e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** An HTTP/1.1 client for the webhook port, keeping its connections alive as the API server does. */
    HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    URI validate() {
        return URI.create("https://127.0.0.1:" + port + "/validate");
    }

    URI management(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Customs exited with " + process.exitValue() + ":\n" + log());
            }
            if (ready()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Customs was not ready within " + timeout.toSeconds() + " s:\n" + log());
    }

    /** Alive, and its readiness endpoint answers 200. */
    boolean ready() {
        if (!process.isAlive()) {
            return false;
        }
        try {
            return MANAGEMENT
                    .send(HttpRequest.newBuilder(management("/q/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Resident memory now (VmRSS), bytes. */
    long rss() {
        return status("VmRSS");
    }

    /** The most resident memory so far (VmHWM), bytes. */
    long peakRss() {
        return status("VmHWM");
    }

    private long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + process.pid() + "/status", e);
        }
        throw new IllegalStateException("no " + field + " in /proc/" + process.pid() + "/status");
    }

    /**
     * The live heap: what a full collection keeps, bytes. {@code jcmd GC.class_histogram} collects and counts the
     * survivors in one safepoint; reading the generations after a separate {@code GC.run} also counted what the event
     * loops allocated between the two commands, garbage included.
     */
    long heapAfterGc() throws IOException, InterruptedException {
        String histogram = jcmd("GC.class_histogram");
        Matcher m = HISTOGRAM_TOTAL.matcher(histogram);
        if (!m.find()) {
            throw new IllegalStateException("jcmd GC.class_histogram did not end with its total:\n"
                    + histogram.substring(Math.max(0, histogram.length() - 2000)));
        }
        lastHistogram = histogram;
        return Long.parseLong(m.group(1));
    }

    /** The first {@code lines} classes of the last {@link #heapAfterGc()}, by bytes: what the live heap holds. */
    String largestLive(int lines) {
        return lastHistogram.lines().filter(l -> l.matches("\\s*\\d+:.*")).limit(lines)
                .collect(Collectors.joining("\n"));
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(ChartRuntime.jdk().resolve("bin/jcmd").toString(),
                Long.toString(process.pid()), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * The management port's client: HTTP/1.1, as Prometheus and the kubelet speak to it. JDK 17's default client asks
     * for an h2c upgrade on every request, and once in CI it kept a complete /q/metrics answer (all 23,935 bytes
     * received) without ever completing the request, which had no timeout: the test waited until CI's limit.
     */
    private static final HttpClient MANAGEMENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** A series of the Prometheus text of the management port, summed over its label sets; 0 when absent. */
    double metric(String name, String labelFilter) throws IOException, InterruptedException {
        String text = null;
        for (int attempt = 1; text == null; attempt++) {
            try {
                text = MANAGEMENT.send(HttpRequest.newBuilder(management("/q/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.net.http.HttpTimeoutException e) {
                if (attempt == 3) {
                    throw new IOException("/q/metrics did not answer within 10 s, three times", e);
                }
            }
        }
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(text);
        while (m.find()) {
            if (labelFilter == null || (m.group(1) != null && m.group(1).contains(labelFilter))) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /** Everything the process wrote so far. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
