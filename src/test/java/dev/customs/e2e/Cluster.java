package dev.customs.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.jboss.logging.Logger;

import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;

/**
 * What the end-to-end scenarios share, one per JVM: the {@link ControlPlane}, a real registry holding the images the
 * scenarios deploy, and Customs' chart installed by the real helm, the way a user installs it, with the webhook
 * pointing at a URL on loopback where {@link CustomsInstance}s serve it (the chart's {@code webhook.url}).
 */
public final class Cluster implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Cluster.class);

    public static final String RELEASE = "customs";
    public static final String NAMESPACE = "customs";
    /** The chart's resource names for release "customs": the release name alone. */
    public static final String FULLNAME = "customs";
    public static final String WEBHOOK = "validate.customs.dev";
    static final Path CHART = Path.of("charts", "customs").toAbsolutePath();

    /** Images in the registry: non-root with every OCI label; root; non-root without labels. */
    public static final String APP = "e2e/app:1.0";
    public static final String ROOT_APP = "e2e/root-app:1.0";
    public static final String UNLABELLED = "e2e/unlabelled:1.0";

    private final ControlPlane controlPlane;
    private final TestRegistry registry;
    private final int webhookPort;
    private final Path values;

    private Cluster(ControlPlane controlPlane, TestRegistry registry, int webhookPort, Path values) {
        this.controlPlane = controlPlane;
        this.registry = registry;
        this.webhookPort = webhookPort;
        this.values = values;
    }

    static Cluster start(Binaries binaries) throws Exception {
        ControlPlane cp = ControlPlane.start(binaries);
        TestRegistry registry = null;
        try {
            registry = TestRegistry.start(TestRegistry.Auth.NONE, false, cp.dir().resolve("registry"));
            registry.pushImage("e2e/app", "1.0",
                    TestImages.config().user("10001").entrypoint("/app").labels(TestImages.OCI_LABELS), true, Map.of());
            registry.pushImage("e2e/root-app", "1.0",
                    TestImages.config().entrypoint("/app").labels(TestImages.OCI_LABELS), true, Map.of());
            registry.pushImage("e2e/unlabelled", "1.0", TestImages.config().user("10001").entrypoint("/app"), true,
                    Map.of());
            int port = TestRegistry.freePort();
            Path values = cp.dir().resolve("values.yaml");
            // What a user running Customs outside the cluster sets: the webhook's URL (the generated certificate
            // then covers 127.0.0.1), the registry on loopback, and short audit and lease periods for the tests; the
            // audit posts Events too, so that two replicas would show as doubled Events. The webhook timeout and the
            // registry budget are generous: what is tested is what Customs answers, not how fast a machine shared
            // with other builds lets it answer (the benchmark measures that). The report CRDs of both formats are
            // installed by the chart, so the audit writes reports the way it does in a cluster that has them.
            Files.writeString(values, """
                    webhook:
                      url: https://127.0.0.1:%d/validate
                      timeoutSeconds: 20
                    registry:
                      insecureRegistries: ["%s"]
                      allowedHosts: ["%s"]
                      budget: 10s
                      requestTimeout: 5s
                    audit:
                      interval: 3s
                      events: true
                      leaderElection:
                        leaseDuration: 8s
                        renewDeadline: 5s
                        retryPeriod: 1s
                    reports:
                      formats: [openreports, wgpolicyk8s]
                      installCRDs: true
                    shutdownDelaySeconds: 1
                    """.formatted(port, registry.authority(), registry.authority()));
            Cluster c = new Cluster(cp, registry, port, values);
            c.install();
            return c;
        } catch (Exception | AssertionError e) {
            if (registry != null) {
                registry.close();
            }
            cp.close();
            throw e;
        }
    }

    /** {@code helm install}, as the README says; fails the run when helm does. */
    void install() {
        ControlPlane.Run r = helm("install", RELEASE, CHART.toString(), "--namespace", NAMESPACE,
                "--create-namespace", "--values", values.toString());
        if (!r.ok()) {
            throw new IllegalStateException("helm install failed:\n" + r.all());
        }
        LOG.infof("helm installed %s into the e2e control plane", RELEASE);
    }

    /** Runs helm with the e2e values file appended where it installs or upgrades. */
    public ControlPlane.Run helm(String... args) {
        return controlPlane.helm(args);
    }

    /** The values file the tests install with (for {@code helm upgrade --values}). */
    public Path values() {
        return values;
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The test registry, for scenarios that push images of their own. */
    public TestRegistry registry() {
        return registry;
    }

    /** An image of the test registry by repository and tag: {@code 127.0.0.1:<port>/e2e/app:1.0}. */
    public String image(String repositoryAndTag) {
        return registry.authority() + "/" + repositoryAndTag;
    }

    /** The port the webhook configuration calls Customs on. */
    public int webhookPort() {
        return webhookPort;
    }

    /** Starts Customs on the webhook's port: the one the API server calls. */
    public CustomsInstance customs(String podName) throws Exception {
        return CustomsInstance.start(this, podName, webhookPort, Map.of());
    }

    /** Starts another Customs replica on a port of its own (the API server does not call it). */
    public CustomsInstance replica(String podName) throws Exception {
        return CustomsInstance.start(this, podName, TestRegistry.freePort(), Map.of());
    }

    /** Runs the pinned kubectl as the administrator: a developer applying manifests. */
    public ControlPlane.Run kubectl(String... args) {
        return controlPlane.kubectl(args);
    }

    /** {@link #kubectl} with {@code manifest} on standard input, for {@code -f -}. */
    public ControlPlane.Run kubectlWithInput(String manifest, String... args) {
        return controlPlane.kubectlWithInput(manifest, args);
    }

    @Override
    public void close() {
        registry.close();
        controlPlane.close();
    }

    static Path chart() throws IOException {
        return CHART;
    }
}
