package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With no Customs answering: the namespaces the chart excludes from the webhook (kube-system, the release namespace)
 * still admit pods, so the control plane and Customs itself can always start; every other namespace gets the chart's
 * {@code failurePolicy} (Fail).
 */
@ExtendWith(ClusterExtension.class)
class FailurePolicyProcessIT {

    private static Cluster cluster;

    @BeforeAll
    static void noCustoms(Cluster c) {
        cluster = c;
        c.controlPlane().namespace("team-unguarded", Map.of());
    }

    private static ControlPlane.Run createPod(String name, String namespace) {
        return cluster.kubectlWithInput(Manifests.pod(name, cluster.image(Cluster.APP), null), "create", "--namespace",
                namespace, "-f", "-");
    }

    @Test
    void kubeSystemAndTheReleaseNamespaceStillAdmitPods() {
        ControlPlane.Run system = createPod("while-customs-is-down", "kube-system");
        assertThat(system.exit()).as(system.all()).isZero();
        ControlPlane.Run own = createPod("customs-like", Cluster.NAMESPACE);
        assertThat(own.exit()).as(own.all()).isZero();
    }

    @Test
    void otherNamespacesGetTheChartsFailurePolicy() {
        ControlPlane.Run r = createPod("unchecked", "team-unguarded");
        assertThat(r.exit()).as(r.all()).isNotZero();
        assertThat(r.err()).contains("failed calling webhook \"" + Cluster.WEBHOOK + "\"");
        assertThat(cluster.controlPlane().admin().admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(Cluster.FULLNAME).get().getWebhooks().get(0).getFailurePolicy()).isEqualTo("Fail");
    }
}
