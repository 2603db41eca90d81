package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.customs.image.ImageRequest;
import dev.customs.image.PlatformSelector;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;
import dev.customs.rules.ImageVerdict;
import dev.customs.rules.Layer;
import dev.customs.rules.PlatformImage;

/**
 * Image verdicts from a real registry (docker-registry on loopback): what the inspector keeps of a manifest (layers,
 * sizes, annotations) reaches the verdict, and a config is judged once per config digest, however many manifests,
 * tags and reviews name it.
 */
class ImageVerdictRegistryIT extends RealRegistryInspection {

    PlatformImage inspect(String repo, String tag) {
        ImageFacts f;
        try {
            f = inspector.inspect(ImageReference.parse(proxy.authority() + "/" + repo + ":" + tag),
                    new ImageRequest(PlatformSelector.ANY_LINUX, "default", List.of(), null)).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("inspection did not complete: " + e, e);
        }
        assertThat(f).isInstanceOf(ImageFacts.Resolved.class);
        return ((ImageFacts.Resolved) f).platforms().get(0);
    }

    static byte[] layer(String content) {
        return content.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "oci={0}")
    @ValueSource(booleans = { true, false })
    void theManifestsLayersAndTheConfigsHistoryMakeTheVerdict(boolean oci) {
        TestImages.Config config = TestImages.config().user("node").cmd("/bin/sh", "-c", "node server.js")
                .env("NPM_TOKEN=npm-s3cr3t-value").labels(Map.of("org.opencontainers.image.title", "web"))
                .history("/bin/sh -c #(nop) ADD file:1234 in / ").emptyHistory("/bin/sh -c #(nop)  CMD [\"sh\"]")
                .history("RUN /bin/sh -c apk add --no-cache nodejs").emptyHistory("USER node")
                .history("COPY . /app # buildkit");
        List<byte[]> layers = List.of(layer("base layer bytes " + oci), layer("nodejs layer, somewhat longer " + oci),
                layer("app " + oci));
        registry.pushImage("verdict/web" + oci, "1.0", config, oci, Map.of("org.opencontainers.image.version", "1.0",
                ImageVerdict.BASE_NAME, "docker.io/library/alpine:3.20"), layers);
        inspector();

        PlatformImage p = inspect("verdict/web" + oci, "1.0");
        assertThat(p.layers()).extracting(Layer::size).containsExactly((long) layers.get(0).length,
                (long) layers.get(1).length, (long) layers.get(2).length);
        assertThat(p.layers()).extracting(Layer::digest).containsExactly(Digests.sha256(layers.get(0)),
                Digests.sha256(layers.get(1)), Digests.sha256(layers.get(2)));
        assertThat(p.layers()).extracting(Layer::mediaType)
                .containsOnly(oci ? TestImages.OCI_LAYER : TestImages.DOCKER_LAYER);

        ImageVerdict v = p.verdict();
        assertThat(v.layers()).extracting(ImageVerdict.BuiltLayer::createdBy).containsExactly(
                "/bin/sh -c #(nop) ADD file:1234 in / ", "RUN /bin/sh -c apk add --no-cache nodejs",
                "COPY . /app # buildkit");
        assertThat(v.layers()).extracting(ImageVerdict.BuiltLayer::history).containsExactly(0, 2, 4);
        assertThat(v.compressedSize()).isEqualTo(layers.stream().mapToLong(l -> l.length).sum());
        assertThat(v.user().kind()).isEqualTo(ImageVerdict.User.Kind.NAMED);
        assertThat(v.process().pid1()).isEqualTo("sh");
        assertThat(v.process().shellForm()).isPresent();
        assertThat(v.hasKey("org.opencontainers.image.title")).as("a config label").isTrue();
        assertThat(v.hasKey("org.opencontainers.image.version")).as("a manifest annotation").isTrue();
        assertThat(v.hasKey("org.opencontainers.image.source")).isFalse();
        assertThat(v.base()).get().extracting(b -> b.reference().tag()).isEqualTo("3.20");
        assertThat(v.secrets()).extracting(ImageVerdict.Secret::description).containsExactly("NPM_TOKEN in Env");
        assertThat(v.secrets().toString()).doesNotContain("s3cr3t");
    }

    @Test
    void aConfigIsJudgedOncePerDigestWhateverManifestsAndReviewsNameIt() {
        TestImages.Config config = TestImages.config().user("10001").cmd("/app/server")
                .labels(TestImages.OCI_LABELS);
        TestRegistry.Pushed first = registry.pushImage("verdict/once", "a", config, true,
                Map.of("org.opencontainers.image.base.name", "gcr.io/distroless/static:nonroot"),
                List.of(layer("once")));
        TestRegistry.Pushed second = registry.pushImage("verdict/once", "b", config, true, Map.of(),
                List.of(layer("once")));
        assertThat(second.configDigest()).isEqualTo(first.configDigest());
        assertThat(second.digest()).as("two manifests").isNotEqualTo(first.digest());
        inspector();

        PlatformImage a = inspect("verdict/once", "a");
        PlatformImage b = inspect("verdict/once", "b");
        PlatformImage warm = inspect("verdict/once", "a");
        assertThat(b.verdict().config()).as("one config digest, one judgement").isSameAs(a.verdict().config());
        assertThat(warm.verdict().config()).as("a warm review judges nothing").isSameAs(a.verdict().config());
        assertThat(a.verdict().base()).isPresent();
        assertThat(b.verdict().base()).as("what the manifest says stays per manifest").isEmpty();
    }
}
