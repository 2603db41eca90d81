package dev.customs.image.registry;

import static dev.customs.image.registry.Reviews.container;
import static dev.customs.image.registry.Reviews.message;
import static dev.customs.image.registry.Reviews.pod;
import static dev.customs.image.registry.Reviews.spec;
import static dev.customs.image.registry.Reviews.validate;
import static dev.customs.image.registry.Reviews.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * End to end through {@code POST /validate}: the rules decide on image data read from a real registry, and
 * registry trouble turns into {@code [image-unverified]} findings while pod-spec rules still decide.
 */
@QuarkusTest
@TestProfile(ValidateRegistryIT.Profile.class)
class ValidateRegistryIT {

    private static final Logger LOG = Logger.getLogger(ValidateRegistryIT.class);

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // these tests count manifest and config requests; layer scans (LayerSecretsIT) would add blob reads;
            // image-size's limit is far above every image here but one
            return Map.of("customs.registry.budget", "1s", "customs.registry.request-timeout", "2s",
                    "customs.rules.\"leaked-secret\".layers", "off", "customs.rules.\"image-size\".max-size", "1MB");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RegistryTestResource.class, Map.of("auth", "NONE")));
        }
    }

    private static final String NS = "shop";

    @InjectRegistry
    TestRegistry registry;
    @InjectRegistry
    RegistryProxy proxy;

    @TestHTTPResource("/validate")
    URL validateUrl;

    @BeforeEach
    void reset() {
        proxy.up();
        proxy.delay(Duration.ZERO);
        proxy.clearAnswers();
        proxy.reset();
    }

    String image(String repo, String tag) {
        return proxy.authority() + "/" + repo + ":" + tag;
    }

    static TestImages.Config compliant() {
        return TestImages.config().user("10001").labels(TestImages.OCI_LABELS).entrypoint("/app/server");
    }

    @Test
    void compliantImageIsAllowedWithoutWarnings() {
        registry.pushImage("e2e/good", "1.0", compliant(), true, Map.of());

        JsonNode r = validate(pod(NS, image("e2e/good", "1.0")));

        assertThat(r.path("allowed").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.has("warnings")).as(r.toString()).isFalse();
    }

    @Test
    void aLargeImageAndAnUnpinnedBaseWarnByDefault() {
        TestImages.Config config = compliant().history("COPY vendor /app/vendor # buildkit")
                .history("COPY dist /app/dist # buildkit");
        byte[] vendor = new byte[900_000];
        new java.util.Random(7).nextBytes(vendor);
        registry.pushImage("e2e/big", "1.0", config, true,
                Map.of("org.opencontainers.image.base.name", "docker.io/library/node:20"),
                List.of(vendor, "dist".repeat(60_000).getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        JsonNode r = validate(pod(NS, image("e2e/big", "1.0")));

        assertThat(r.path("allowed").asBoolean()).as(r.toString()).isTrue();
        JsonNode warnings = r.path("warnings");
        assertThat(warnings).as(warnings(r)).hasSize(2);
        assertThat(warnings.get(0).asText()).startsWith("[image-size] container \"app\" (image " + image("e2e/big", "1.0")
                + ") is 1.1 MB compressed, over the 1MB limit; its largest layers are 900.0 kB (COPY vendor "
                + "/app/vendor), 240.0 kB (COPY dist /app/dist)");
        assertThat(warnings.get(1).asText()).startsWith("[base-image] container \"app\" (image " + image("e2e/big", "1.0")
                + ") records its base image as \"docker.io/library/node:20\" by its tag only");
    }

    @Test
    void rootImageWithoutLabelsIsDenied() {
        registry.pushImage("e2e/root", "1.0", TestImages.config().entrypoint("/app"), false, Map.of());

        JsonNode r = validate(pod(NS, image("e2e/root", "1.0")));

        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.path("status").path("code").asInt()).isEqualTo(403);
        assertThat(message(r)).contains("[run-as-root]").contains("[oci-labels]")
                .doesNotContain("image-unverified");
    }

    @Test
    void leakedSecretAndShellFormEntrypointAreDenied() {
        registry.pushImage("e2e/leaky", "1.0", TestImages.config().user("10001").labels(TestImages.OCI_LABELS)
                .env("NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789")
                .entrypoint("/bin/sh", "-c", "node server.js"), true, Map.of());

        JsonNode r = validate(pod(NS, image("e2e/leaky", "1.0")));

        assertThat(message(r)).contains("[leaked-secret]").contains("NPM_TOKEN")
                .doesNotContain("abcdefghijklmnopqrstuvwxyz").contains("[shell-form-entrypoint]");
    }

    @Test
    void nonNumericImageUserWithRunAsNonRootIsAConflict() {
        registry.pushImage("e2e/named-user", "1.0", compliant().user("app"), true, Map.of());
        ObjectNode pod = pod(NS, image("e2e/named-user", "1.0"));
        container(pod).putObject("securityContext").put("runAsNonRoot", true);

        assertThat(message(validate(pod))).contains("[non-root-conflict]").doesNotContain("[run-as-root]");
    }

    @Test
    void latestTagOfARealImageIsDenied() {
        registry.pushImage("e2e/floating", "latest", compliant(), true, Map.of());

        JsonNode r = validate(pod(NS, image("e2e/floating", "latest")));

        assertThat(message(r)).contains("[latest-tag]").doesNotContain("[run-as-root]");
    }

    @Test
    void multiPlatformImageIsJudgedPerPlatformAndNarrowedByNodeSelector() {
        String repo = "e2e/multi";
        TestRegistry.Pushed amd = registry.pushImage(repo, null, compliant().platform("linux", "amd64").user("0"), true,
                Map.of());
        TestRegistry.Pushed arm = registry.pushImage(repo, null, compliant().platform("linux", "arm64"), true, Map.of());
        registry.pushIndex(repo, "3.1", true, List.of(amd.entry(), arm.entry()), Map.of());

        JsonNode any = validate(pod(NS, image(repo, "3.1")));
        assertThat(any.path("allowed").asBoolean()).isFalse();
        assertThat(message(any)).contains("[run-as-root]").contains("(on linux/amd64)");

        ObjectNode onArm = pod(NS, image(repo, "3.1"));
        spec(onArm).putObject("nodeSelector").put("kubernetes.io/arch", "arm64");
        JsonNode arm64 = validate(onArm);
        assertThat(arm64.path("allowed").asBoolean()).as(arm64.toString()).isTrue();
    }

    @Test
    void registryDownStillEvaluatesPodSpecRulesAndWarnsAboutTheImage() {
        ObjectNode pod = pod(NS, image("e2e/unreachable", "1.0"));
        spec(pod).put("hostNetwork", true);
        proxy.down();

        JsonNode r = validate(pod);

        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(message(r)).contains("[host-network]");
        assertThat(warnings(r)).contains("[image-unverified] " + image("e2e/unreachable", "1.0") + ": cannot connect to "
                + proxy.authority());
    }

    @Test
    void runAsNonRootMakesAnUnavailableImageNoRunAsRootConcern() {
        ObjectNode pod = pod(NS, image("e2e/missing", "1.0"));
        spec(pod).putObject("securityContext").put("runAsNonRoot", true);

        JsonNode r = validate(pod);

        assertThat(r.path("allowed").asBoolean()).isTrue();
        String w = warnings(r);
        assertThat(w).contains("[image-unverified] " + image("e2e/missing", "1.0") + ": the manifest was not found")
                .contains("non-root-conflict").doesNotContain("run-as-root");
    }

    @Test
    void slowRegistryNeverHoldsTheAnswerBeyondTheBudget() {
        registry.pushImage("e2e/slow", "1.0", compliant(), true, Map.of());
        validate(pod(NS, "169.254.169.254/warm-up:1")); // the first review of a JVM loads the pod model classes
        proxy.delay(Duration.ofSeconds(4));

        long started = System.nanoTime();
        JsonNode r = validate(pod(NS, image("e2e/slow", "1.0")));
        long ms = (System.nanoTime() - started) / 1_000_000;

        assertThat(ms).isLessThan(2500);
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(warnings(r)).contains("did not answer within the 1000 ms budget");
        LOG.info("[figure] /validate with a registry 4 s slow, budget 1 s: answered in " + ms + " ms");
    }

    @Test
    void metadataReferenceIsRefusedAndNeverContacted() {
        JsonNode r = validate(pod(NS, "169.254.169.254/latest/meta-data:1"));

        assertThat(warnings(r)).contains("[image-unverified] 169.254.169.254/latest/meta-data:1: refused to contact "
                + "169.254.169.254");
    }

    @Test
    void digestPinnedImageSecondAdmissionMakesNoRequest() {
        TestRegistry.Pushed p = registry.pushImage("e2e/pinned", "1.0", compliant(), true, Map.of());
        String pinned = proxy.authority() + "/e2e/pinned@" + p.digest();

        assertThat(validate(pod(NS, pinned)).path("allowed").asBoolean()).isTrue();
        assertThat(proxy.total()).isEqualTo(2);
        proxy.reset();

        long started = System.nanoTime();
        assertThat(validate(pod(NS, pinned)).path("allowed").asBoolean()).isTrue();
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertThat(proxy.total()).as("requests for the second admission").isZero();
        LOG.info("[figure] second /validate of a digest-pinned image: " + ms + " ms round trip, "
                + proxy.total() + " registry requests");
    }

    @Test
    void fiftyConcurrentAdmissionsOfANewImageMakeOneManifestAndOneConfigFetch() throws Exception {
        registry.pushImage("e2e/stampede", "1.0", compliant(), true, Map.of());
        proxy.delay(Duration.ofMillis(300));
        String body = Reviews.review(pod(NS, image("e2e/stampede", "1.0")));
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        URI uri = validateUrl.toURI();
        for (int i = 0; i < 50; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> resp = f.get(20, TimeUnit.SECONDS);
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(Reviews.MAPPER.readTree(resp.body()).path("response").path("allowed").asBoolean())
                    .as(resp.body()).isTrue();
        }
        assertThat(proxy.manifestGets()).as("manifest fetches").isEqualTo(1);
        assertThat(proxy.blobGets()).as("config fetches").isEqualTo(1);
    }
}
