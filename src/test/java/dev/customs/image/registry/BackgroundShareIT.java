package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.customs.image.ImageRequest;
import dev.customs.image.PlatformSelector;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;

/**
 * The audit's registry requests take only the background share of a host's connections: against a real registry
 * behind the counting proxy, with the audit's requests held unanswered, no more than
 * {@link RegistryHttp#BACKGROUND_CONNECTIONS} of them reach the host at once, and admission's lookups are answered
 * meanwhile. The same lookups without the background mark all reach the host at once.
 */
class BackgroundShareIT extends RealRegistryInspection {

    private static final int LOOKUPS = 10;

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();

    @AfterEach
    void tearDown() {
        release.countDown();
        proxy.clearAnswers(); // the inspector is closed after this, by RealRegistryInspection
    }

    @Test
    void theAuditTakesAQuarterOfAHostsConnectionsAndAdmissionIsAnsweredMeanwhile() throws Exception {
        registry.pushImage("share/app", "1.0", TestImages.config().user("10001"), true, Map.of());
        List<CompletableFuture<ImageFacts>> audit = holdLookups("share/audit", true);

        await(() -> held.get() == RegistryHttp.BACKGROUND_CONNECTIONS, "the audit's share to be in use");
        ImageFacts admission = inspector.inspect(ImageReference.parse(proxy.authority() + "/share/app:1.0"),
                request(false)).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(admission).as("admission's lookup while the audit's share is in use")
                .isInstanceOf(ImageFacts.Resolved.class);
        assertThat(held.get()).isEqualTo(RegistryHttp.BACKGROUND_CONNECTIONS);
        assertThat(audit).noneMatch(CompletableFuture::isDone);

        release.countDown();
        CompletableFuture.allOf(audit.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        // every one was asked in the end, never more than the share at once
        assertThat(audit).allSatisfy(f -> assertThat(f.join()).isInstanceOf(ImageFacts.Unavailable.class));
        assertThat(proxy.count(s -> s.path().startsWith("/v2/share/audit"))).isEqualTo(LOOKUPS);
        assertThat(most.get()).isEqualTo(RegistryHttp.BACKGROUND_CONNECTIONS);
    }

    @Test
    void admissionsLookupsAreNotHeldToTheShare() throws Exception {
        List<CompletableFuture<ImageFacts>> lookups = holdLookups("share/admission", false);

        await(() -> held.get() == LOOKUPS, "every lookup to reach the registry at once");

        release.countDown();
        CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(most.get()).isEqualTo(LOOKUPS);
    }

    /** Starts {@link #LOOKUPS} lookups of distinct repositories under {@code prefix} whose answers wait for release. */
    private List<CompletableFuture<ImageFacts>> holdLookups(String prefix, boolean background) {
        for (int i = 0; i < LOOKUPS; i++) {
            proxy.answer("/v2/" + prefix + i + "/manifests/1.0", ex -> {
                most.accumulateAndGet(held.incrementAndGet(), Math::max);
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.decrementAndGet();
                }
                ex.sendResponseHeaders(404, -1);
            });
        }
        TestRegistryConfig config = new TestRegistryConfig();
        config.insecureRegistries.add(proxy.authority());
        config.requestTimeout = Duration.ofSeconds(60);
        config.budget = Duration.ofSeconds(60);
        inspector = new RegistryImageInspector(config, vertx, MAPPER, () -> {
            throw new IllegalStateException("no Kubernetes in this test");
        }, new CountingRecorder(), Clock.systemUTC(), InetAddress::getAllByName);
        List<CompletableFuture<ImageFacts>> out = new ArrayList<>();
        for (int i = 0; i < LOOKUPS; i++) {
            out.add(inspector.inspect(ImageReference.parse(proxy.authority() + "/" + prefix + i + ":1.0"),
                    request(background)).toCompletableFuture());
        }
        return out;
    }

    private static ImageRequest request(boolean background) {
        return new ImageRequest(PlatformSelector.ANY_LINUX, "default", List.of(), null, 0, true, background);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
