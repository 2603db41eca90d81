package dev.customs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.image.ImageResolver;
import dev.customs.image.registry.RegistryImageInspector;
import dev.customs.image.registry.TestRegistryConfig;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import io.vertx.core.Vertx;

/**
 * The start-up warm-up review runs through the real registry inspector (its image is refused by the address guard,
 * so nothing is contacted) and leaves no trace in the metrics: every pod start would otherwise show two registry
 * errors on the dashboard.
 */
class WarmUpTest {

    @Test
    void theWarmUpReviewIsNotCounted() throws Exception {
        List<String> recorded = new CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder() {
            @Override
            public void imageResolution(String result) {
                recorded.add("image " + result);
            }

            @Override
            public void registryRequest(String registry, Duration duration) {
                recorded.add("request " + registry);
            }

            @Override
            public void admission(String kind, String operation, String decision, Duration duration) {
                recorded.add("admission " + decision);
            }

            @Override
            public void violation(String rule, String action, String namespace) {
                recorded.add("violation " + rule);
            }
        };
        Vertx vertx = Vertx.vertx();
        ObjectMapper mapper = new ObjectMapper();
        try (RegistryImageInspector inspector = RegistryImageInspector.create(new TestRegistryConfig(), vertx, mapper,
                () -> {
                    throw new IllegalStateException("no Kubernetes here");
                }, recorder)) {
            ImageResolver images = new ImageResolver(inspector, Duration.ofSeconds(10));
            Lifecycle.warmUp(mapper, new RuleEngine(RuleRegistry.defaults()), Policy.enforceAll(), images,
                    Lifecycle.WARM_UP_REVIEWS);
            assertThat(recorded).isEmpty();

            // the same resolver, as admission uses it, is counted: the test above can tell the difference
            images.resolve(dev.customs.rules.PodViews.of("shop", "p",
                    new io.fabric8.kubernetes.api.model.PodSpecBuilder().addNewContainer().withName("c")
                            .withImage("127.0.0.1:1/customs/warm-up:1").endContainer().build()))
                    .get();
            assertThat(recorded).containsExactly("image error");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void theWarmUpWaitsForTheFirstRequestOrItsDeadline() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        assertThat(Lifecycle.awaitQuietly(done, Duration.ofMillis(50))).as("no request: warm up at the deadline")
                .isTrue();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
        done.complete(null);
        assertThat(Lifecycle.awaitQuietly(done, Duration.ofDays(1))).as("the first request is done").isTrue();
        Thread.currentThread().interrupt();
        try {
            assertThat(Lifecycle.awaitQuietly(new CompletableFuture<>(), Duration.ofDays(1)))
                    .as("interrupted: Customs is stopping").isFalse();
        } finally {
            Thread.interrupted();
        }
    }
}
