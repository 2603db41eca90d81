package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.fabric8.kubernetes.api.model.events.v1.Event;

/**
 * Admission through a real kube-apiserver, as a developer meets it in {@code kubectl}: the API server calls Customs
 * (the chart's webhook configuration, {@code webhook.url}); Customs runs as the packaged jar under the chart's
 * ServiceAccount.
 */
@ExtendWith(ClusterExtension.class)
class AdmissionProcessIT {

    private static final String NS = "team-admission";
    private static final String WARN_NS = "team-admission-warn";
    private static final String DENIED = "admission webhook \"" + Cluster.WEBHOOK + "\" denied the request: ";
    private static Cluster cluster;
    private static CustomsInstance customs;

    @BeforeAll
    static void start(Cluster c) throws Exception {
        cluster = c;
        customs = c.customs("customs-admission");
        c.controlPlane().namespace(NS, Map.of());
        c.controlPlane().namespace(WARN_NS, Map.of("customs.dev/action", "warn"));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (customs != null) {
            customs.close();
        }
    }

    private static ControlPlane.Run apply(String manifest, String namespace, String... flags) {
        String[] args = new String[flags.length + 5];
        args[0] = "apply";
        args[1] = "--namespace";
        args[2] = namespace;
        args[3] = "-f";
        args[4] = "-";
        System.arraycopy(flags, 0, args, 5, flags.length);
        return cluster.kubectlWithInput(manifest, args);
    }

    private static String root() {
        return cluster.image(Cluster.ROOT_APP);
    }

    private static String app() {
        return cluster.image(Cluster.APP);
    }

    @Test
    void aPodWhoseImageRunsAsRootIsDeniedWithTheReasonInKubectl() {
        ControlPlane.Run r = apply(Manifests.pod("root", root(), null), NS);
        assertThat(r.exit()).as(r.all()).isNotZero();
        assertThat(r.err()).contains("Error from server (Forbidden)", DENIED + "[run-as-root] ").contains(root());
        assertThat(cluster.controlPlane().admin().pods().inNamespace(NS).withName("root").get()).isNull();
    }

    @Test
    void aDeploymentThatWouldMakeSuchPodsIsDeniedWhenItIsApplied() {
        ControlPlane.Run r = apply(Manifests.deployment("root-web", root(), null, 2), NS);
        assertThat(r.exit()).as(r.all()).isNotZero();
        assertThat(r.err()).contains(DENIED + "[run-as-root] ");
        assertThat(cluster.controlPlane().admin().apps().deployments().inNamespace(NS).withName("root-web").get())
                .isNull();
    }

    @Test
    void aCompliantPodIsCreatedWithoutWarnings() {
        ControlPlane.Run r = apply(Manifests.pod("fine", app(), null), NS);
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.all()).doesNotContain("Warning:");
        assertThat(cluster.controlPlane().admin().pods().inNamespace(NS).withName("fine").get()).isNotNull();
    }

    @Test
    void inAWarnNamespaceKubectlPrintsTheFindingsAsWarningsAndCreates() {
        ControlPlane.Run r = apply(Manifests.pod("warned", root(), null), WARN_NS);
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.err()).contains("Warning: [run-as-root] ");
        assertThat(r.out()).contains("pod/warned created");
    }

    @Test
    void aServerSideDryRunIsDeniedAndPostsNoEvent() {
        String ns = "team-dry-run";
        cluster.controlPlane().namespace(ns, Map.of());
        ControlPlane.Run r = apply(Manifests.pod("dry", root(), null), ns, "--dry-run=server");
        assertThat(r.exit()).as(r.all()).isNotZero();
        assertThat(r.err()).contains(DENIED + "[run-as-root] ");
        // Events are posted in order, one at a time: once a later denial's Event is stored, the dry run's would be
        ControlPlane.Run after = apply(Manifests.pod("after-dry", root(), null), ns);
        assertThat(after.exit()).isNotZero();
        Eventually.until(Duration.ofSeconds(30), "the Event of the denial after the dry run",
                () -> events(ns).stream().anyMatch(e -> e.getRegarding().getName().equals("after-dry")));
        assertThat(events(ns)).noneMatch(e -> e.getRegarding().getName().equals("dry"));
    }

    @Test
    void serverSideApplyIsReviewedLikeAnyApply() {
        ControlPlane.Run ok = apply(Manifests.deployment("ssa", app(), null, 1), NS, "--server-side");
        assertThat(ok.exit()).as(ok.all()).isZero();
        assertThat(ok.out()).contains("deployment.apps/ssa serverside-applied");
        // a second apply that changes the pod template to run as root
        ControlPlane.Run denied = apply(Manifests.deployment("ssa", app(), 0L, 1), NS, "--server-side");
        assertThat(denied.exit()).as(denied.all()).isNotZero();
        assertThat(denied.err()).contains(DENIED + "[run-as-root] ");
    }

    @Test
    void scalingOrLabellingAViolatingDeploymentIsAllowed() {
        String ns = "team-legacy";
        // admitted while the namespace warned; then the namespace is enforced
        cluster.controlPlane().namespace(ns, Map.of("customs.dev/action", "warn"));
        ControlPlane.Run created = apply(Manifests.deployment("legacy", root(), null, 1), ns);
        assertThat(created.exit()).as(created.all()).isZero();
        cluster.kubectl("label", "namespace", ns, "customs.dev/action-");
        Eventually.until(Duration.ofSeconds(20), "the namespace enforced again",
                () -> !apply(Manifests.pod("probe", root(), null), ns, "--dry-run=server").ok());

        ControlPlane.Run scaled = cluster.kubectl("scale", "deployment/legacy", "--replicas=3", "--namespace", ns);
        assertThat(scaled.exit()).as(scaled.all()).isZero();
        ControlPlane.Run labelled = cluster.kubectl("label", "deployment/legacy", "tier=legacy", "--namespace", ns);
        assertThat(labelled.exit()).as(labelled.all()).isZero();
        ControlPlane.Run annotated = cluster.kubectl("annotate", "deployment/legacy", "owner=shop", "--namespace", ns);
        assertThat(annotated.exit()).as(annotated.all()).isZero();
        // changing the pod spec is reviewed again, and still denied
        ControlPlane.Run env = cluster.kubectl("set", "env", "deployment/legacy", "MODE=strict", "--namespace", ns);
        assertThat(env.exit()).as(env.all()).isNotZero();
        assertThat(env.err()).contains(DENIED + "[run-as-root] ");
    }

    @Test
    void anEphemeralDebugContainerRunningAsRootIsDenied() {
        assertThat(apply(Manifests.pod("debuggee", app(), null), NS).exit()).isZero();
        // kubectl debug adds the container through the pods/ephemeralcontainers subresource
        ControlPlane.Run r = cluster.kubectl("debug", "pod/debuggee", "--namespace", NS, "--image=" + root(),
                "--container=debugger", "--profile=general");
        assertThat(r.exit()).as(r.all()).isNotZero();
        assertThat(r.err()).contains(DENIED + "[run-as-root] ").contains("debugger");
        assertThat(cluster.controlPlane().admin().pods().inNamespace(NS).withName("debuggee").get().getSpec()
                .getEphemeralContainers()).isEmpty();
    }

    @Test
    void labellingANamespaceToWarnTakesEffectWithinSeconds() {
        String ns = "team-relabelled";
        cluster.controlPlane().namespace(ns, Map.of());
        assertThat(apply(Manifests.pod("before", root(), null), ns, "--dry-run=server").exit()).isNotZero();
        cluster.kubectl("label", "namespace", ns, "customs.dev/action=warn");
        long start = System.nanoTime();
        ControlPlane.Run admitted = Eventually.get(Duration.ofSeconds(20), "the warn label applied",
                () -> apply(Manifests.pod("after", root(), null), ns, "--dry-run=server"), ControlPlane.Run::ok);
        assertThat(admitted.err()).contains("Warning: [run-as-root] ");
        org.jboss.logging.Logger.getLogger(AdmissionProcessIT.class).infof(
                "[figure] namespace label customs.dev/action=warn applied after %d ms",
                Duration.ofNanos(System.nanoTime() - start).toMillis());
    }

    private static java.util.List<Event> events(String namespace) {
        return cluster.controlPlane().admin().events().v1().events().inNamespace(namespace).list().getItems();
    }
}
