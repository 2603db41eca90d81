package dev.customs.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.customs.image.registry.TestRegistry;

/**
 * The packaged Customs ({@code target/quarkus-app/quarkus-run.jar}, production profile) as a separate process, the way
 * a container runs it: on loopback ports of its own, its stdout and stderr captured in a file, no Kubernetes API.
 * {@code *ProcessIT} tests use it; they run under maven-failsafe, after {@code package}.
 */
final class CustomsProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;
    private final int managementPort;

    private CustomsProcess(Process process, Path log, int port, int managementPort) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts Customs with {@code properties} as {@code -D} options and waits until it is ready. */
    static CustomsProcess start(Map<String, String> properties, Path log) throws Exception {
        return start(properties, log, packagedJar(), List.of());
    }

    /** The packaged fast-jar's {@code quarkus-run.jar}. */
    static Path packagedJar() {
        return Path.of(System.getProperty("reliability.app.jar", "target/quarkus-app/quarkus-run.jar"));
    }

    /**
     * Starts Customs from {@code jar} (the fast-jar's {@code quarkus-run.jar} or a jar beside it) with {@code jvmFlags}
     * and {@code properties} as {@code -D} options, and waits until it is ready.
     */
    static CustomsProcess start(Map<String, String> properties, Path log, Path jar, List<String> jvmFlags)
            throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist: *ProcessIT tests run the packaged "
                    + "application; run them with ./mvnw verify, which packages first");
        }
        int port = TestRegistry.freePort();
        int management = TestRegistry.freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + management));
        cmd.addAll(jvmFlags);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // no cluster: Events are logged, informers are off, whatever machine the tests run on
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().put("KUBECONFIG", log.resolveSibling("no-kubeconfig").toString());
        CustomsProcess p = new CustomsProcess(pb.start(), log, port, management);
        p.awaitReady(Duration.ofSeconds(60));
        return p;
    }

    private void awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Customs exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready()).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Customs was not ready within " + timeout.toSeconds() + " s:\n" + log());
    }

    /** {@code target/reliability/<name>.log}, kept after the run for whoever reads a failure. */
    static Path logFile(String name) throws IOException {
        Path dir = Path.of("target", "reliability");
        Files.createDirectories(dir);
        return dir.resolve(name + ".log");
    }

    int port() {
        return port;
    }

    URI validate() {
        return URI.create("http://127.0.0.1:" + port + "/validate");
    }

    URI ready() {
        return URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
    }

    URI metrics() {
        return URI.create("http://127.0.0.1:" + managementPort + "/q/metrics");
    }

    /** SIGINT, as Ctrl-C in a terminal sends it. */
    void sigint() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -INT " + process.pid() + " failed");
        }
    }

    /** SIGTERM, as the kubelet sends it ({@link Process#destroy()} sends SIGTERM on Linux). */
    void sigterm() {
        process.destroy();
    }

    /** Waits for the exit; the exit code, or null when it has not exited within {@code timeout}. */
    Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** Everything the process wrote to stdout and stderr so far. */
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
