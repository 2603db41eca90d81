package dev.customs.image.registry;

import static dev.customs.image.registry.Reviews.imagePullSecret;
import static dev.customs.image.registry.Reviews.message;
import static dev.customs.image.registry.Reviews.pod;
import static dev.customs.image.registry.Reviews.spec;
import static dev.customs.image.registry.Reviews.validate;
import static dev.customs.image.registry.Reviews.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Credentials from the pod's imagePullSecrets and its service account's, read from a (mock) Kubernetes API, against a
 * registry with htpasswd auth, end to end through {@code POST /validate}.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(PullSecretsIT.Profile.class)
class PullSecretsIT {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("customs.registry.use-pull-secrets", "true");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RegistryTestResource.class, Map.of("auth", "HTPASSWD")));
        }
    }

    @KubernetesTestServer
    KubernetesServer kubernetes;

    @InjectRegistry
    TestRegistry registry;
    @InjectRegistry
    RegistryProxy proxy;

    Secret dockerConfigSecret(String namespace, String name, String password) {
        String json = TestRegistry.dockerConfigJson(proxy.authority(), TestRegistry.USER, password);
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .withData(Map.of(".dockerconfigjson",
                        Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    @Test
    void podPullSecretLetsTheRulesDecideOnThePrivateImage() {
        registry.pushImage("private/root", "1.0", TestImages.config().labels(TestImages.OCI_LABELS).entrypoint("/app"),
                true, Map.of());
        kubernetes.getClient().secrets().inNamespace("team-a").resource(dockerConfigSecret("team-a", "regcred",
                TestRegistry.PASSWORD)).create();
        ObjectNode pod = pod("team-a", proxy.authority() + "/private/root:1.0");
        imagePullSecret(pod, "regcred");

        JsonNode r = validate(pod);

        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(message(r)).contains("[run-as-root]").doesNotContain("image-unverified");
        assertThat(warnings(r)).isEmpty();
    }

    @Test
    void withoutAPullSecretThePrivateImageIsUnverified() {
        registry.pushImage("private/nosecret", "1.0", TestImages.config().user("10001"), true, Map.of());

        JsonNode r = validate(pod("team-none", proxy.authority() + "/private/nosecret:1.0"));

        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(warnings(r)).contains("[image-unverified] " + proxy.authority() + "/private/nosecret:1.0: "
                + proxy.authority() + " requires authentication and Customs has no credentials for it");
    }

    @Test
    void serviceAccountPullSecretIsUsedAndSecretsAreReadOncePerTtl() {
        for (String tag : List.of("1", "2", "3")) {
            registry.pushImage("private/sa", tag, TestImages.config().user("10001").labels(TestImages.OCI_LABELS)
                    .entrypoint("/app"), true, Map.of());
        }
        var client = kubernetes.getClient();
        client.secrets().inNamespace("team-b").resource(dockerConfigSecret("team-b", "sa-cred", TestRegistry.PASSWORD))
                .create();
        client.serviceAccounts().inNamespace("team-b").resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("builder").withNamespace("team-b").endMetadata()
                .withImagePullSecrets(new LocalObjectReference("sa-cred")).build()).create();
        recordedPaths(); // what came before (the namespace informer, the audit's Lease) is not counted

        for (String tag : List.of("1", "2", "3")) {
            ObjectNode pod = pod("team-b", proxy.authority() + "/private/sa:" + tag);
            spec(pod).put("serviceAccountName", "builder");
            JsonNode r = validate(pod);
            assertThat(r.path("allowed").asBoolean()).as(r.toString()).isTrue();
            assertThat(warnings(r)).isEmpty();
        }

        // one GET of the service account and one of its secret, for three admissions of three new images; other
        // requests (a Lease renewal, the namespace informer's watch) may interleave and are not what this test counts
        assertThat(recordedPaths().stream().filter(p -> p.contains("/serviceaccounts") || p.contains("/secrets")))
                .containsExactly("GET /api/v1/namespaces/team-b/serviceaccounts/builder",
                        "GET /api/v1/namespaces/team-b/secrets/sa-cred");
    }

    /** Drains the mock API server's recorded requests, as "METHOD path". */
    private List<String> recordedPaths() {
        List<String> paths = new ArrayList<>();
        try {
            RecordedRequest r;
            while ((r = kubernetes.getKubernetesMockServer().takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
                paths.add(r.getMethod() + " " + r.getPath());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return paths;
    }

    @Test
    void aPullSecretWithTheWrongPasswordIsRefused() {
        registry.pushImage("private/wrong", "1.0", TestImages.config().user("10001"), true, Map.of());
        kubernetes.getClient().secrets().inNamespace("team-c").resource(dockerConfigSecret("team-c", "stale",
                "an-old-password")).create();
        ObjectNode pod = pod("team-c", proxy.authority() + "/private/wrong:1.0");
        imagePullSecret(pod, "stale");

        String w = warnings(validate(pod));

        assertThat(w).contains("refused the credentials").doesNotContain("an-old-password");
    }
}
