package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.customs.image.ImageRequest;
import dev.customs.image.PlatformSelector;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;
import dev.customs.rules.ImageVerdict;
import dev.customs.rules.PlatformImage;

/**
 * The start-up warm-up of a registry miss ({@link RegistryImageInspector#warmUp}) runs the code a real miss runs: its
 * built-in image, pushed to a real registry and inspected there, gives the facts the warm-up computes without I/O.
 */
class WarmUpImageIT extends RealRegistryInspection {

    @Test
    void theWarmUpComputesWhatAMissOfTheSameImageComputes() throws Exception {
        WarmUpImage image = WarmUpImage.make(MAPPER);
        for (byte[] blob : image.blobs().values()) {
            registry.pushBlob("warm-up/node", blob);
        }
        for (Map.Entry<String, byte[]> m : image.manifests().entrySet()) {
            boolean index = m.getKey().equals(image.indexDigest());
            registry.pushManifest("warm-up/node", index ? "1.0" : null,
                    index ? RegistryClient.OCI_INDEX : RegistryClient.OCI_MANIFEST, m.getValue());
        }
        RegistryImageInspector inspector = inspector();

        ImageFacts.Resolved warm = inspector.warmUpOnce(image);
        ImageFacts fetched = inspector.inspect(ImageReference.parse(proxy.authority() + "/warm-up/node:1.0"),
                new ImageRequest(PlatformSelector.ANY_LINUX, "default", List.of(), null)).toCompletableFuture()
                .get(60, TimeUnit.SECONDS);

        assertThat(fetched).isInstanceOf(ImageFacts.Resolved.class);
        ImageFacts.Resolved real = (ImageFacts.Resolved) fetched;
        assertThat(warm.digest()).isEqualTo(real.digest()).isEqualTo(image.indexDigest());
        // the attestation (unknown/unknown) is not selected; both linux images are, with every part of their facts
        assertThat(warm.platforms()).extracting(p -> p.platform().toString()).containsExactly("linux/amd64",
                "linux/arm64");
        assertThat(real.platforms()).hasSameSizeAs(warm.platforms());
        for (int i = 0; i < warm.platforms().size(); i++) {
            PlatformImage w = warm.platforms().get(i);
            PlatformImage r = real.platforms().get(i);
            assertThat(w.platform()).isEqualTo(r.platform());
            assertThat(w.config()).isEqualTo(r.config());
            assertThat(w.annotations()).isEqualTo(r.annotations());
            assertThat(w.layers()).isEqualTo(r.layers());
            assertThat(w.verdict()).isEqualTo(r.verdict());
        }
        // and the built-in image exercises the analyses a real image needs: user, shell form, labels, secrets
        ImageVerdict v = warm.platforms().get(0).verdict();
        assertThat(v.user().kind()).isEqualTo(ImageVerdict.User.Kind.ROOT);
        assertThat(v.process().argv()).containsExactly("docker-entrypoint.sh", "/bin/sh", "-c", "node server.js");
        assertThat(v.process().handsOver()).isTrue();
        assertThat(v.secrets()).extracting(ImageVerdict.Secret::description).anyMatch(d -> d.contains("NPM_TOKEN"))
                .anyMatch(d -> d.contains("DATABASE_PASSWORD"));
        assertThat(warm.platforms().get(0).layers()).hasSize(5);
    }

    @Test
    void theWarmUpSendsNoRequestAndCachesNothing() throws Exception {
        RegistryImageInspector inspector = inspector();
        proxy.reset();

        inspector.warmUp(3);

        assertThat(proxy.seen()).isEmpty();
        WarmUpImage image = WarmUpImage.make(MAPPER);
        // nothing of the built-in image is cached: a review naming it goes to the registry
        inspector.inspect(ImageReference.parse(proxy.authority() + "/warm-up/node@" + image.indexDigest()),
                new ImageRequest(PlatformSelector.ANY_LINUX, "default", List.of(), null)).toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        assertThat(proxy.seen()).extracting(RegistryProxy.Seen::path)
                .contains("/v2/warm-up/node/manifests/" + image.indexDigest());
    }
}
