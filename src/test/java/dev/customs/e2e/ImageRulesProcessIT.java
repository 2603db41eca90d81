package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.customs.image.registry.TestImages;
import dev.customs.rules.ImageVerdict;

/**
 * {@code image-size} and {@code base-image} as a developer meets them in {@code kubectl}: warnings by default, a denial
 * where a namespace enforces them, on an image pushed to the registry the cluster pulls from.
 */
@ExtendWith(ClusterExtension.class)
class ImageRulesProcessIT {

    private static final String NS = "team-image-rules";
    private static final String ENFORCING_NS = "team-image-rules-strict";
    private static Cluster cluster;
    private static CustomsInstance customs;
    private static String image;

    @BeforeAll
    static void start(Cluster c) throws Exception {
        cluster = c;
        byte[] vendor = new byte[900_000];
        new Random(11).nextBytes(vendor);
        c.registry().pushImage("e2e/heavy", "1.0", TestImages.config().user("10001").entrypoint("/app")
                .labels(TestImages.OCI_LABELS).history("COPY vendor /app/vendor # buildkit")
                .history("COPY app /app/app # buildkit"), true,
                Map.of(ImageVerdict.BASE_NAME, "docker.io/library/node:20"), List.of(vendor, new byte[300_000]));
        image = c.image("e2e/heavy:1.0");
        customs = CustomsInstance.start(c, "customs-image-rules", c.webhookPort(),
                Map.of("customs.rules.\"image-size\".max-size", "1MB"));
        c.controlPlane().namespace(NS, Map.of());
        c.controlPlane().namespace(ENFORCING_NS, Map.of("customs.dev/rule.image-size", "enforce"));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (customs != null) {
            customs.close();
        }
    }

    @Test
    void aLargeImageWithAnUnpinnedBaseIsCreatedWithTwoWarnings() {
        ControlPlane.Run r = cluster.kubectlWithInput(Manifests.pod("heavy", image, null), "apply", "--namespace", NS,
                "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.err()).contains("Warning: [image-size] container \"app\" (image " + image + ") is 1.2 MB "
                + "compressed, over the 1MB limit; its largest layers are 900.0 kB (COPY vendor /app/vendor)")
                .contains("Warning: [base-image] container \"app\" (image " + image + ") records its base image as "
                        + "\"docker.io/library/node:20\" by its tag only");
        assertThat(cluster.controlPlane().admin().pods().inNamespace(NS).withName("heavy").get()).isNotNull();
    }

    @Test
    void aNamespaceThatEnforcesImageSizeRefusesIt() {
        ControlPlane.Run r = cluster.kubectlWithInput(Manifests.pod("heavy", image, null), "apply", "--namespace",
                ENFORCING_NS, "-f", "-");
        assertThat(r.exit()).as(r.all()).isNotZero();
        assertThat(r.err()).contains("admission webhook \"" + Cluster.WEBHOOK + "\" denied the request: [image-size] ");
        assertThat(cluster.controlPlane().admin().pods().inNamespace(ENFORCING_NS).withName("heavy").get()).isNull();
    }
}
