package dev.customs.admission;

import static dev.customs.admission.Reviews.assertAllowedSilently;
import static dev.customs.admission.Reviews.assertAllowedUnverified;
import static dev.customs.admission.Reviews.assertDenied;
import static dev.customs.admission.Reviews.post;
import static dev.customs.admission.Reviews.read;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.Reviews.Cause;
import dev.customs.image.ImageInspector;
import dev.customs.image.InMemoryImageInspector;
import dev.customs.image.UnavailableImageInspector;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.Platform;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Image rules through {@code POST /validate}. Without image facts (the inspector swapped for one that reaches no
 * registry) an image-dependent finding is an {@code [image-unverified]} warning and the request is allowed; with facts (the
 * inspector swapped for an in-memory one) the same reviews are denied by the image rule, at the right field.
 */
@QuarkusTest
class ImageFactsEndpointIT {

    private static final String REG = "registry.example.com/shop/";
    /** A credential shape the leaked-secret rule knows; it must never appear in an answer. */
    private static final String NPM_TOKEN = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";

    private static final Map<String, String> LABELS = Map.of("org.opencontainers.image.title", "shop",
            "org.opencontainers.image.source", "https://git.example.com/shop/shop",
            "org.opencontainers.image.version", "1.0.0", "org.opencontainers.image.revision",
            "3f6c2a1d9b8e7f60a5c4d3b2a1908f7e6d5c4b3a");

    /** An image that passes every image rule: numeric USER, exec-form ENTRYPOINT, OCI labels, no credentials. */
    private static ImageConfig clean() {
        return config("10001", List.of("/app/server"), List.of("PATH=/usr/local/bin:/usr/bin:/bin"), LABELS);
    }

    private static ImageConfig config(String user, List<String> entrypoint, List<String> env,
            Map<String, String> labels) {
        return new ImageConfig(Platform.of("linux", "amd64"), user, entrypoint, List.of(), env, labels,
                List.of(new ImageConfig.History("COPY server /app/server # buildkit", false)));
    }

    private static void installImageFacts() {
        ImageConfig c = clean();
        InMemoryImageInspector inspector = new InMemoryImageInspector()
                .put(REG + "api:2.1.0", c)
                .put(REG + "root-user:1.0.0", config("root", c.entrypoint(), c.env(), c.labels()))
                .put(REG + "unlabelled:1.0.0",
                        config(c.user(), c.entrypoint(), c.env(), Map.of("org.opencontainers.image.title", "metrics")))
                .put(REG + "shell-entrypoint:1.0.0",
                        config(c.user(), List.of("/bin/sh", "-c", "node /app/report.js"), c.env(), c.labels()))
                .put(REG + "leaky:1.0.0",
                        config(c.user(), c.entrypoint(), List.of("PATH=/usr/bin:/bin", "NPM_TOKEN=" + NPM_TOKEN),
                                c.labels()))
                .put(REG + "named-user:1.0.0", config("app", c.entrypoint(), c.env(), c.labels()));
        QuarkusMock.installMockForType(inspector, ImageInspector.class);
    }

    /** Without image facts, image rules never deny: each review is allowed with an {@code [image-unverified]} warning. */
    @ParameterizedTest
    @ValueSource(strings = { "deployment-root-user.json", "pod-unlabelled.json", "cronjob-shell-entrypoint.json",
            "statefulset-leaked-secret.json", "pod-non-root-conflict.json", "deployment-clean.json" })
    void withoutImageFactsImageFindingsAreWarnings(String fixture) {
        QuarkusMock.installMockForType(new UnavailableImageInspector("the registry could not be reached"),
                ImageInspector.class);
        List<String> warnings = assertAllowedUnverified(post("images/" + fixture));
        assertThat(warnings).isNotEmpty()
                .allSatisfy(w -> assertThat(w).contains("the registry could not be reached"));
    }

    /** With image facts, each image rule denies through the endpoint, at the field the user must change. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            deployment-root-user      | run-as-root           | spec.template.spec.containers[0].image
            pod-unlabelled            | oci-labels            | spec.containers[1].image
            cronjob-shell-entrypoint  | shell-form-entrypoint | spec.jobTemplate.spec.template.spec.containers[1].image
            statefulset-leaked-secret | leaked-secret         | spec.template.spec.initContainers[0].image
            pod-non-root-conflict     | non-root-conflict     | spec.containers[0].securityContext.runAsUser
            """)
    void withImageFactsImageRulesDeny(String fixture, String rule, String field) {
        installImageFacts();
        ObjectNode request = read("images/" + fixture + ".json");
        JsonNode review = post(request);
        assertThat(assertDenied(request, review)).containsExactly(new Cause(rule, field));
        assertThat(Reviews.warnings(review)).as("every image was inspected").isEmpty();
    }

    @Test
    void theRootUserOfTheImageIsNamed() {
        installImageFacts();
        JsonNode review = post("images/deployment-root-user.json");
        assertThat(review.at("/response/status/message").asText())
                .contains("container \"api\" (image registry.example.com/shop/root-user:1.0.0) runs as root")
                .contains("USER is \"root\"");
    }

    @Test
    void theMissingLabelsAreListed() {
        installImageFacts();
        JsonNode review = post("images/pod-unlabelled.json");
        assertThat(review.at("/response/status/message").asText()).contains("org.opencontainers.image.source",
                "org.opencontainers.image.version", "org.opencontainers.image.revision")
                .doesNotContain("org.opencontainers.image.title");
    }

    @Test
    void aLeakedSecretIsNamedButNeverShown() {
        installImageFacts();
        JsonNode review = post("images/statefulset-leaked-secret.json");
        String answer = review.toString();
        assertThat(review.at("/response/status/message").asText())
                .contains("init container \"assets\" (image registry.example.com/shop/leaky:1.0.0)")
                .contains("NPM_TOKEN in Env");
        assertThat(answer).doesNotContain(NPM_TOKEN).doesNotContain(NPM_TOKEN.substring(4, 20));
    }

    @Test
    void aCleanImageIsAllowedWithoutWarnings() {
        installImageFacts();
        JsonNode review = post("images/deployment-clean.json");
        assertAllowedSilently(review);
    }

    @Test
    void everyImageFixtureIsChecked() {
        assertThat(Reviews.folder("images")).containsExactlyInAnyOrder("deployment-root-user.json",
                "pod-unlabelled.json", "cronjob-shell-entrypoint.json", "statefulset-leaked-secret.json",
                "pod-non-root-conflict.json", "deployment-clean.json");
    }
}
