package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.customs.image.ImageResolver;
import dev.customs.rules.BaseImage;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageSize;
import dev.customs.rules.ImageVerdict;
import dev.customs.rules.OciLabels;
import dev.customs.rules.PodView;
import dev.customs.rules.PodViews;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import dev.customs.rules.Violation;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;

/**
 * {@code image-size} and {@code base-image} on images pushed to a real registry (docker-registry on loopback): the
 * sizes come from the manifests the inspector fetched anyway (counted: no request for a layer), per platform of an
 * index, and the base from the index and manifest annotations or the config labels.
 */
class SizeAndBaseRegistryIT extends RealRegistryInspection {

    /** Incompressible bytes, so the pushed blob's size is what the manifest says. */
    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    List<Violation> evaluate(String image, String maxSize) {
        PodView pod = PodViews.of("shop", "web", new PodSpecBuilder().addNewContainer().withName("app")
                .withImage(image).endContainer().build());
        RuleEngine engine = new RuleEngine(RuleRegistry.withSettings(List.of(), OciLabels.DEFAULT_REQUIRED, maxSize));
        RegistryImageInspector i = inspector == null ? inspector() : inspector;
        Evaluation e = engine.evaluate(pod, new ImageResolver(i, Duration.ofSeconds(60)).resolve(pod).join(),
                id -> id.equals(ImageSize.ID) || id.equals(BaseImage.ID));
        assertThat(e.unverified()).as("every image was read").isEmpty();
        return e.violations();
    }

    @ParameterizedTest(name = "oci={0}")
    @ValueSource(booleans = { true, false })
    void aLargePlatformAndAnUnpinnedBaseAreFoundFromTheManifestsAlone(boolean oci) {
        String repo = "size/shop-" + oci;
        TestImages.Config amd = TestImages.config().platform("linux", "amd64")
                .history("/bin/sh -c #(nop) ADD file:0c2a in / ").emptyHistory("WORKDIR /app")
                .history("RUN |1 NPM_TOKEN=npm_build_arg_value /bin/sh -c npm install # buildkit")
                .history("COPY . . # buildkit");
        TestRegistry.Pushed big = registry.pushImage(repo, null, amd, oci, Map.of(), List.of(bytes(150_000, 1),
                bytes(700_000, 2), bytes(400_000, 3)));
        TestImages.Config arm = TestImages.config().platform("linux", "arm64").history("COPY app /app # buildkit");
        TestRegistry.Pushed small = registry.pushImage(repo, null, arm, oci,
                Map.of(ImageVerdict.BASE_DIGEST, "sha256:" + "a".repeat(64)), List.of(bytes(90_000, 4)));
        registry.pushIndex(repo, "1.0", oci, List.of(big.entry(), small.entry()),
                oci ? Map.of(ImageVerdict.BASE_NAME, "docker.io/library/node:20.11.1-slim") : Map.of());
        String image = proxy.authority() + "/" + repo + ":1.0";
        proxy.reset();

        List<Violation> found = evaluate(image, "1MB");

        assertThat(found).extracting(Violation::rule).startsWith(ImageSize.ID);
        assertThat(found.get(0).message()).isEqualTo("[image-size] container \"app\" (image " + image
                + ") is 1.3 MB compressed (on linux/amd64), over the 1MB limit; its largest layers are 700.0 kB (RUN "
                + "npm install), 400.0 kB (COPY . .), 150.0 kB (ADD file:0c2a in /): make the image smaller: a slim or "
                + "distroless base, a multi-stage build that copies only what the app runs, no build tools or caches "
                + "in the last stage (npm ci --omit=dev, rm -rf /var/lib/apt/lists/*); or raise "
                + "customs.rules.\"image-size\".max-size");
        if (oci) {
            // the index names the base for both platforms; only arm64's manifest pins it with a digest
            assertThat(found).extracting(Violation::message).element(1).asString()
                    .startsWith("[base-image] container \"app\" (image " + image + ") records its base image (on "
                            + "linux/amd64) as \"docker.io/library/node:20.11.1-slim\" by its tag only");
            assertThat(found).hasSize(2);
        } else {
            assertThat(found).as("a Docker manifest list has no annotations: no base recorded").hasSize(1);
        }
        assertThat(proxy.blobGets()).as("two configs, no layer").isEqualTo(2);
        assertThat(found.toString()).doesNotContain("npm_build_arg_value");

        assertThat(evaluate(image, "2MB")).extracting(Violation::rule).doesNotContain(ImageSize.ID);
    }
}
