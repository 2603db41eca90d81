package dev.customs.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * The control plane's binaries at the versions pinned in {@code src/test/e2e/versions.env}, built (kubectl and helm:
 * fetched) by {@code src/test/e2e/build.sh} (which answers at once when its cache has them). When they cannot be built (no Go,
 * no
 * module proxy) the reason is kept, and the end-to-end tests report it as the reason they were skipped.
 */
final class Binaries {

    private static final Logger LOG = Logger.getLogger(Binaries.class);
    static final Path SCRIPT_DIR = Path.of("src", "test", "e2e");
    /** The first build compiles Kubernetes: on a busy two-core machine, tens of minutes. */
    private static final long BUILD_TIMEOUT_MINUTES = 75;

    private final Path kubernetes;
    private final Path etcd;
    private final Path kubectl;
    private final Path helm;
    private final Map<String, String> versions;

    private Binaries(Path kubernetes, Path etcd, Path kubectl, Path helm, Map<String, String> versions) {
        this.kubernetes = kubernetes;
        this.etcd = etcd;
        this.kubectl = kubectl;
        this.helm = helm;
        this.versions = versions;
    }

    /** Either the binaries or why there are none. */
    record Found(Binaries binaries, String unavailable) {
    }

    private static Found found;

    /** Builds (or finds in the cache) the binaries, once per JVM. */
    static synchronized Found find() {
        if (found == null) {
            found = build();
        }
        return found;
    }

    private static Found build() {
        Path script = SCRIPT_DIR.resolve("build.sh");
        if (!Files.isRegularFile(script)) {
            return new Found(null, script.toAbsolutePath() + " is missing (run the tests from the project directory)");
        }
        Path log;
        try {
            log = ControlPlane.workDir().resolve("build.log");
        } catch (IOException e) {
            return new Found(null, "cannot create the work directory: " + e.getMessage());
        }
        long start = System.nanoTime();
        try {
            Process p = new ProcessBuilder("bash", script.toString()).redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(log.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Found(null, "src/test/e2e/build.sh did not finish within " + BUILD_TIMEOUT_MINUTES
                        + " minutes; its log: " + log.toAbsolutePath());
            }
            if (p.exitValue() != 0) {
                return new Found(null, "src/test/e2e/build.sh could not build the control plane (exit " + p.exitValue()
                        + "): " + tail(log));
            }
            Map<String, String> dirs = parse(out);
            Binaries b = new Binaries(Path.of(dirs.get("KUBERNETES_BIN")), Path.of(dirs.get("ETCD_BIN")),
                    Path.of(dirs.get("KUBECTL_BIN")), Path.of(dirs.get("HELM_BIN")), versions());
            LOG.infof("[figure] e2e control plane binaries ready in %d s (kubernetes %s, etcd %s, kubectl %s, helm %s)",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), b.version("KUBERNETES_VERSION"),
                    b.version("ETCD_VERSION"), b.version("KUBECTL_VERSION"), b.version("HELM_VERSION"));
            return new Found(b, null);
        } catch (IOException | RuntimeException e) {
            return new Found(null, "src/test/e2e/build.sh could not run: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Found(null, "interrupted while building the control plane");
        }
    }

    private static Map<String, String> parse(String out) {
        Map<String, String> m = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        for (String k : new String[] { "KUBERNETES_BIN", "ETCD_BIN", "KUBECTL_BIN", "HELM_BIN" }) {
            if (!m.containsKey(k)) {
                throw new IllegalStateException("build.sh did not print " + k + "; it printed: " + out);
            }
        }
        return m;
    }

    /** The pinned versions, as {@code versions.env} has them. */
    static Map<String, String> versions() throws IOException {
        Map<String, String> m = new HashMap<>();
        for (String line : Files.readAllLines(SCRIPT_DIR.resolve("versions.env"))) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#") || l.indexOf('=') < 0) {
                continue;
            }
            m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
        }
        return m;
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    String version(String key) {
        return Optional.ofNullable(versions.get(key)).orElse("?");
    }

    Path kubeApiserver() {
        return kubernetes.resolve("kube-apiserver");
    }

    Path kubeControllerManager() {
        return kubernetes.resolve("kube-controller-manager");
    }

    Path kubectl() {
        return kubectl.resolve("kubectl");
    }

    Path etcd() {
        return etcd.resolve("etcd");
    }

    Path helm() {
        return helm.resolve("helm");
    }
}
