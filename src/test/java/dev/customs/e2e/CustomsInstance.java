package dev.customs.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.customs.image.registry.TestRegistry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;

/**
 * The packaged Customs ({@code target/quarkus-app/quarkus-run.jar}) running on loopback the way the chart's pod runs
 * it: with the configuration the chart rendered into its ConfigMap, the serving certificate from the chart's Secret,
 * {@code POD_NAMESPACE}/{@code POD_NAME} as the downward API sets them, and a token of the chart's ServiceAccount
 * obtained by TokenRequest, never an administrator's credential, so every call it makes goes through the chart's RBAC.
 * Only the ports differ from the pod (each instance gets its own; the kubelet would give each pod its own network).
 */
public final class CustomsInstance implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final int port;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path caFile;

    private CustomsInstance(String name, Process process, Path log, int port, int managementPort, Path caFile) {
        this.name = name;
        this.caFile = caFile;
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** The packaged application, as failsafe passes it (or where {@code ./mvnw package} leaves it). */
    static Path jar() {
        Path jar = Path.of(System.getProperty("reliability.app.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist: the end-to-end tests run the "
                    + "packaged application; run them with ./mvnw verify, which packages first");
        }
        return jar;
    }

    /**
     * Starts Customs as the pod {@code podName} would run, serving admission on {@code port}, and waits until it is
     * ready (which includes the first sync of its namespace informer, under the chart's RBAC).
     */
    static CustomsInstance start(Cluster cluster, String podName, int port, Map<String, String> extraProperties)
            throws Exception {
        ControlPlane cp = cluster.controlPlane();
        Path dir = ControlPlane.workDir().resolve("customs").resolve(podName);
        ControlPlane.deleteTree(dir);
        Path etc = Files.createDirectories(dir.resolve("etc/customs"));

        // What the kubelet would mount: the ConfigMap's properties, the TLS Secret, the ServiceAccount's token.
        ConfigMap config = cp.admin().configMaps().inNamespace(Cluster.NAMESPACE).withName(Cluster.FULLNAME).get();
        String properties = config.getData().get("application.properties").replace("/etc/customs/", etc + "/");
        Path propertiesFile = Files.createDirectories(etc.resolve("config")).resolve("application.properties");
        Files.writeString(propertiesFile, properties);
        Secret tls = cp.admin().secrets().inNamespace(Cluster.NAMESPACE).withName(Cluster.FULLNAME + "-tls").get();
        Path tlsDir = Files.createDirectories(etc.resolve("tls"));
        for (String key : List.of("tls.crt", "tls.key", "ca.crt")) {
            Files.write(tlsDir.resolve(key), Base64.getDecoder().decode(tls.getData().get(key)));
        }
        TokenRequest token = cp.admin().serviceAccounts().inNamespace(Cluster.NAMESPACE).withName(Cluster.FULLNAME)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(4 * 3600L).endSpec()
                        .build());
        Path kubeconfig = cp.tokenKubeconfig("customs-" + podName, token.getStatus().getToken());

        int management = TestRegistry.freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.ssl-port=" + port,
                "-Dquarkus.http.port=" + TestRegistry.freePort(), "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + management));
        extraProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar().toAbsolutePath().toString()));
        Path log = dir.resolve("customs.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("POD_NAMESPACE", Cluster.NAMESPACE);
        pb.environment().put("POD_NAME", podName);
        pb.environment().put("QUARKUS_CONFIG_LOCATIONS", propertiesFile.toString());
        CustomsInstance c = new CustomsInstance(podName, pb.start(), log, port, management, tlsDir.resolve("ca.crt"));
        try {
            c.awaitReady(Duration.ofSeconds(90));
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Customs " + name + " exited with " + process.exitValue() + ":\n"
                        + ControlPlane.tail(log));
            }
            try {
                // ready on the management port, and the admission port accepting connections: the management
                // interface can answer before the HTTPS listener is bound
                if (get(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready")).statusCode() == 200
                        && accepts(port)) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Customs " + name + " was not ready within " + timeout.toSeconds() + " s:\n"
                + ControlPlane.tail(log));
    }

    private static boolean accepts(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /** The Prometheus text of {@code /q/metrics}, as a scrape gets it. */
    public String scrape() {
        try {
            HttpResponse<String> r = get(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"));
            if (r.statusCode() != 200) {
                throw new IllegalStateException("metrics answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * POSTs an AdmissionReview to {@code /validate} over HTTPS, trusting the chart's CA as the API server does: what
     * anyone who can reach Customs' port can send, whatever the API server would.
     */
    public HttpResponse<String> review(String body) throws IOException, InterruptedException {
        return https().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/validate"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpClient https;

    private synchronized HttpClient https() {
        if (https == null) {
            try (var in = Files.newInputStream(caFile)) {
                java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("ca",
                        java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory
                        .getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
                ssl.init(null, tmf.getTrustManagers(), null);
                https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(2)).build();
            } catch (Exception e) {
                throw new IllegalStateException("cannot trust the chart's CA", e);
            }
        }
        return https;
    }

    /** Everything Customs logged so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM, as the kubelet stops a pod, and waits for the exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGKILL: a crash, or a node that is gone. Nothing is released. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
