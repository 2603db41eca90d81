package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The chart through the real helm against the real API server: installed (by {@link Cluster}), upgraded with the
 * generated TLS reused, its {@code helm test} objects accepted, uninstalled and installed again. Every object of the
 * chart must be one the API server accepts.
 */
@ExtendWith(ClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmProcessIT {

    private static Cluster cluster;
    private static KubernetesClient admin;

    @BeforeAll
    static void start(Cluster c) {
        cluster = c;
        admin = c.controlPlane().admin();
    }

    private static Secret tls() {
        return admin.secrets().inNamespace(Cluster.NAMESPACE).withName(Cluster.FULLNAME + "-tls").get();
    }

    private static String caBundle() {
        return admin.admissionRegistration().v1().validatingWebhookConfigurations().withName(Cluster.FULLNAME).get()
                .getWebhooks().get(0).getClientConfig().getCaBundle();
    }

    @Test
    @Order(1)
    void theInstallCreatedEveryObjectOfTheChart() {
        ControlPlane.Run status = cluster.helm("status", Cluster.RELEASE, "--namespace", Cluster.NAMESPACE);
        assertThat(status.out()).as(status.all()).contains("STATUS: deployed");
        ControlPlane.Run manifest = cluster.helm("get", "manifest", Cluster.RELEASE, "--namespace", Cluster.NAMESPACE);
        assertThat(manifest.exit()).isZero();
        // every object helm says it installed is there
        ControlPlane.Run got = cluster.kubectlWithInput(manifest.out(), "get", "-f", "-", "-o", "name");
        assertThat(got.exit()).as(got.all()).isZero();
        assertThat(got.out()).contains("serviceaccount/customs", "clusterrole.rbac.authorization.k8s.io/customs",
                "role.rbac.authorization.k8s.io/customs-leader-election", "configmap/customs", "secret/customs-tls",
                "service/customs", "deployment.apps/customs", "poddisruptionbudget.policy/customs",
                "validatingwebhookconfiguration.admissionregistration.k8s.io/customs");
        // the webhook calls the URL, with the CA of the generated certificate, which covers its address
        assertThat(admin.admissionRegistration().v1().validatingWebhookConfigurations().withName(Cluster.FULLNAME).get()
                .getWebhooks().get(0).getClientConfig().getUrl())
                .isEqualTo("https://127.0.0.1:" + cluster.webhookPort() + "/validate");
        assertThat(caBundle()).isEqualTo(tls().getData().get("ca.crt"));
    }

    @Test
    @Order(2)
    void anUpgradeKeepsTheGeneratedCertificate() {
        Secret before = tls();
        String bundle = caBundle();
        ControlPlane.Run r = cluster.helm("upgrade", Cluster.RELEASE, Cluster.CHART.toString(), "--namespace",
                Cluster.NAMESPACE, "--values", cluster.values().toString(), "--set", "logLevel=DEBUG");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(tls().getData()).isEqualTo(before.getData());
        assertThat(caBundle()).isEqualTo(bundle);
        assertThat(admin.configMaps().inNamespace(Cluster.NAMESPACE).withName(Cluster.FULLNAME).get().getData()
                .get("application.properties")).contains("quarkus.log.level=DEBUG");
        ControlPlane.Run back = cluster.helm("upgrade", Cluster.RELEASE, Cluster.CHART.toString(), "--namespace",
                Cluster.NAMESPACE, "--values", cluster.values().toString());
        assertThat(back.exit()).as(back.all()).isZero();
    }

    @Test
    @Order(3)
    void theHelmTestObjectsAreAcceptedByTheApiServer() {
        // helm test would wait for its pod to run, and there is no kubelet: the same objects, rendered as helm test
        // creates them, are created (validation, RBAC escalation checks, admission) and deleted again
        ControlPlane.Run rendered = cluster.helm("template", Cluster.RELEASE, Cluster.CHART.toString(), "--namespace",
                Cluster.NAMESPACE, "--values", cluster.values().toString(), "--show-only",
                "templates/tests/denial.yaml");
        assertThat(rendered.exit()).as(rendered.all()).isZero();
        ControlPlane.Run created = cluster.kubectlWithInput(rendered.out(), "create", "-f", "-");
        try {
            assertThat(created.exit()).as(created.all()).isZero();
            assertThat(created.out()).contains("serviceaccount/customs-test created",
                    "role.rbac.authorization.k8s.io/customs-test created",
                    "rolebinding.rbac.authorization.k8s.io/customs-test created", "configmap/customs-test created",
                    "pod/customs-test created");
        } finally {
            cluster.kubectlWithInput(rendered.out(), "delete", "--ignore-not-found", "--wait=false", "-f", "-");
        }
    }

    @Test
    @Order(4)
    void anUninstallRemovesTheWebhookAndAnInstallBringsItBack() {
        ControlPlane.Run r = cluster.helm("uninstall", Cluster.RELEASE, "--namespace", Cluster.NAMESPACE, "--wait");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(admin.admissionRegistration().v1().validatingWebhookConfigurations().withName(Cluster.FULLNAME)
                .get()).isNull();
        assertThat(admin.rbac().clusterRoles().withName(Cluster.FULLNAME).get()).isNull();
        // nothing calls a webhook that is gone: pods are admitted again without Customs
        cluster.controlPlane().namespace("team-after-uninstall", java.util.Map.of());
        ControlPlane.Run pod = cluster.kubectlWithInput(Manifests.pod("free", cluster.image(Cluster.ROOT_APP), null),
                "create", "--namespace", "team-after-uninstall", "-f", "-");
        assertThat(pod.exit()).as(pod.all()).isZero();

        cluster.install();
        Eventually.until(Duration.ofSeconds(30), "the webhook installed again", () -> admin.admissionRegistration()
                .v1().validatingWebhookConfigurations().withName(Cluster.FULLNAME).get() != null);
    }
}
