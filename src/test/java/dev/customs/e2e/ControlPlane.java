package dev.customs.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.image.registry.TestRegistry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A Kubernetes control plane on loopback, from the binaries {@link Binaries} builds: etcd (TLS, client certificates),
 * kube-apiserver (TLS, RBAC authorization, a service-account issuer and signing key so TokenRequest works, an audit
 * log of every request made by a service account of the release namespace) and kube-controller-manager (so
 * Deployments make ReplicaSets and ReplicaSets make Pods, which stay Pending: there is no kubelet). Logs and files are
 * under {@code target/e2e/}.
 */
final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** A started process and its log. */
    record Proc(String name, Process process, Path log) {
        void stop() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }
        }
    }

    /** The result of a command: its exit code and what it printed. */
    record Run(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }

        /** Both streams, as a terminal would show them. */
        String all() {
            return out + err;
        }
    }

    private final Binaries binaries;
    private final Path dir;
    private final Pki pki;
    private final List<Proc> processes = new ArrayList<>();
    private final int apiPort;
    private final Path adminKubeconfig;
    private final Path auditLog;
    private KubernetesClient admin;

    private ControlPlane(Binaries binaries, Path dir, Pki pki, int apiPort) {
        this.binaries = binaries;
        this.dir = dir;
        this.pki = pki;
        this.apiPort = apiPort;
        this.adminKubeconfig = dir.resolve("admin.kubeconfig");
        this.auditLog = dir.resolve("audit.log");
    }

    /** {@code target/e2e}, created when missing. */
    static Path workDir() throws IOException {
        return Files.createDirectories(Path.of("target", "e2e").toAbsolutePath());
    }

    /** The namespace whose service accounts the audit log records: the release's. */
    static final String AUDITED_NAMESPACE = "customs";

    static ControlPlane start(Binaries binaries) throws Exception {
        long start = System.nanoTime();
        Path dir = workDir().resolve("control-plane");
        deleteTree(dir);
        Files.createDirectories(dir);
        Pki pki = Pki.create(dir.resolve("pki"));
        ControlPlane cp = new ControlPlane(binaries, dir, pki, TestRegistry.freePort());
        try {
            cp.startEtcd();
            cp.startApiserver();
            cp.startControllerManager();
        } catch (Exception | AssertionError e) {
            cp.close();
            throw e;
        }
        LOG.infof("[figure] e2e control plane (etcd, kube-apiserver, kube-controller-manager) up in %d ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return cp;
    }

    private int etcdPort;

    private void startEtcd() throws Exception {
        etcdPort = TestRegistry.freePort();
        int peer = TestRegistry.freePort();
        Pki.Pair serving = pki.server("etcd", "etcd", List.of("localhost"), List.of("127.0.0.1"));
        String client = "https://127.0.0.1:" + etcdPort;
        String peerUrl = "http://127.0.0.1:" + peer;
        Proc p = launch("etcd", List.of(binaries.etcd().toString(), "--name=e2e",
                "--data-dir=" + dir.resolve("etcd-data"), "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client, "--listen-peer-urls=" + peerUrl,
                "--initial-advertise-peer-urls=" + peerUrl, "--initial-cluster=e2e=" + peerUrl,
                "--cert-file=" + serving.cert(), "--key-file=" + serving.key(), "--client-cert-auth",
                "--trusted-ca-file=" + pki.caCert(), "--unsafe-no-fsync", "--log-level=warn"), Map.of());
        await("etcd", p, Duration.ofSeconds(60), () -> listening(etcdPort));
    }

    private void startApiserver() throws Exception {
        Pki.Pair serving = pki.server("apiserver", "kube-apiserver",
                List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local"),
                List.of("127.0.0.1", "10.96.0.1"));
        Pki.Pair etcdClient = pki.client("apiserver-etcd-client", "kube-apiserver-etcd-client", null);
        Pki.Pair adminCert = pki.client("admin", "customs-e2e-admin", "system:masters");
        Path[] sa = pki.signingKey("service-account");
        Path policy = dir.resolve("audit-policy.yaml");
        // Every request of the release namespace's service accounts (Customs runs as one), at Metadata level: who
        // did what to which resource, and the answer's code. Nothing else is recorded.
        Files.writeString(policy, """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: ["RequestReceived"]
                rules:
                  - level: Metadata
                    userGroups: ["system:serviceaccounts:%s"]
                  - level: None
                """.formatted(AUDITED_NAMESPACE));
        Proc p = launch("kube-apiserver", List.of(binaries.kubeApiserver().toString(),
                "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + apiPort,
                "--etcd-servers=https://127.0.0.1:" + etcdPort, "--etcd-cafile=" + pki.caCert(),
                "--etcd-certfile=" + etcdClient.cert(), "--etcd-keyfile=" + etcdClient.key(),
                "--tls-cert-file=" + serving.cert(), "--tls-private-key-file=" + serving.key(),
                "--client-ca-file=" + pki.caCert(), "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file=" + sa[1], "--service-account-signing-key-file=" + sa[0],
                "--service-cluster-ip-range=10.96.0.0/16",
                // the API server is on loopback, which an Endpoints object may not name
                "--endpoint-reconciler-type=none", "--audit-policy-file=" + policy, "--audit-log-path=" + auditLog,
                "--audit-log-format=json", "--audit-log-mode=blocking", "--profiling=false",
                "--cert-dir=" + dir.resolve("apiserver-certs")), Map.of());
        writeKubeconfig(adminKubeconfig, "user:\n    client-certificate: " + adminCert.cert() + "\n    client-key: "
                + adminCert.key());
        await("kube-apiserver", p, Duration.ofSeconds(120), this::apiserverReady);
        admin = client(adminKubeconfig);
    }

    private void startControllerManager() throws Exception {
        Path[] sa = { dir.resolve("pki/service-account.key") };
        Proc p = launch("kube-controller-manager", List.of(binaries.kubeControllerManager().toString(),
                "--kubeconfig=" + adminKubeconfig, "--bind-address=127.0.0.1", "--secure-port=0",
                "--leader-elect=false", "--service-account-private-key-file=" + sa[0],
                "--root-ca-file=" + pki.caCert(), "--controllers=*"), Map.of());
        // the service-account controller is running once the default namespace has its default ServiceAccount
        await("kube-controller-manager", p, Duration.ofSeconds(120),
                () -> admin.serviceAccounts().inNamespace("default").withName("default").get() != null);
    }

    private Proc launch(String name, List<String> cmd, Map<String, String> env) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Proc p = new Proc(name, pb.start(), log);
        processes.add(p);
        return p;
    }

    private static void await(String what, Proc p, Duration timeout, BooleanSupplier ready) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.process().isAlive()) {
                throw new IllegalStateException(what + " exited with " + p.process().exitValue() + ":\n" + tail(p.log()));
            }
            try {
                if (ready.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not ready yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(what + " was not ready within " + timeout.toSeconds() + " s:\n" + tail(p.log()));
    }

    private boolean apiserverReady() {
        Run r = kubectl(adminKubeconfig, "get", "--raw", "/readyz");
        return r.ok() && r.out().trim().equals("ok");
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** {@code https://127.0.0.1:<port>}. */
    String server() {
        return "https://127.0.0.1:" + apiPort;
    }

    Path dir() {
        return dir;
    }

    Path caCert() {
        return pki.caCert();
    }

    Path adminKubeconfig() {
        return adminKubeconfig;
    }

    Binaries binaries() {
        return binaries;
    }

    /** A client with administrator rights, for the tests' own set-up and checks (never for Customs). */
    KubernetesClient admin() {
        return admin;
    }

    /** A kubeconfig that authenticates with a bearer token, as a user outside the cluster has one. */
    Path tokenKubeconfig(String name, String token) throws IOException {
        Path file = dir.resolve(name + ".kubeconfig");
        writeKubeconfig(file, "user:\n    token: " + token);
        return file;
    }

    private void writeKubeconfig(Path file, String user) throws IOException {
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: e2e
                    cluster:
                      server: %s
                      certificate-authority: %s
                users:
                  - name: e2e
                    %s
                contexts:
                  - name: e2e
                    context:
                      cluster: e2e
                      user: e2e
                current-context: e2e
                """.formatted(server(), pki.caCert(), user.replace("\n", "\n    ")));
        file.toFile().setReadable(false, false);
        file.toFile().setReadable(true, true);
    }

    static KubernetesClient client(Path kubeconfig) throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Runs the pinned kubectl with {@code kubeconfig}. */
    Run kubectl(Path kubeconfig, String... args) {
        List<String> cmd = new ArrayList<>(List.of(binaries.kubectl().toString(), "--kubeconfig=" + kubeconfig));
        cmd.addAll(List.of(args));
        return run(cmd, null);
    }

    /** Runs the pinned kubectl as the administrator. */
    Run kubectl(String... args) {
        return kubectl(adminKubeconfig, args);
    }

    /** Runs the pinned kubectl as the administrator, with {@code stdin} as its standard input. */
    Run kubectlWithInput(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(binaries.kubectl().toString(), "--kubeconfig=" + adminKubeconfig));
        cmd.addAll(List.of(args));
        return run(cmd, stdin);
    }

    /** Runs the pinned helm against this control plane as the administrator (a user installing the chart). */
    Run helm(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binaries.helm().toString(), "--kubeconfig=" + adminKubeconfig));
        cmd.addAll(List.of(args));
        return run(cmd, null);
    }

    private Run run(List<String> cmd, String stdin) {
        try {
            Path home = Files.createDirectories(dir.resolve("home"));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("HOME", home.toString());
            pb.environment().put("HELM_CACHE_HOME", home.resolve("helm-cache").toString());
            pb.environment().put("HELM_CONFIG_HOME", home.resolve("helm-config").toString());
            pb.environment().put("HELM_DATA_HOME", home.resolve("helm-data").toString());
            pb.environment().remove("KUBERNETES_SERVICE_HOST");
            Path out = Files.createTempFile(dir, "run", ".out");
            Path err = Files.createTempFile(dir, "run", ".err");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("did not finish within 3 minutes: " + String.join(" ", cmd));
            }
            Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a namespace with labels and waits for its default ServiceAccount, without which no pod is admitted. */
    void namespace(String name, Map<String, String> labels) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).serverSideApply();
        Eventually.until(Duration.ofSeconds(60), "default ServiceAccount in " + name,
                () -> admin.serviceAccounts().inNamespace(name).withName("default").get() != null);
    }

    /** The audit log so far: one JSON object per request of a release-namespace service account. */
    List<JsonNode> auditEvents() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(auditLog)) {
            return out;
        }
        for (String line : Files.readAllLines(auditLog)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    /** The API server's own log. */
    String apiserverLog() {
        return tail(dir.resolve("kube-apiserver.log"));
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).stop();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
