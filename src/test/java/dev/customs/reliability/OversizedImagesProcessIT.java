package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.image.registry.Reviews;
import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;

/**
 * Attack 3 of issue 11: images a pod's author builds to be expensive to keep. Before, the caches were bounded by entry
 * count only: an index of 30k platforms kept 8 MiB, a config of 600k {@code Env} entries 35 MiB, a 7.9 MiB history
 * 12 MiB, and about 45 of them filled the heap; answers took 8 to 13 s against a 3 s budget.
 *
 * <p>
 * Now an image over a limit of what Customs keeps is unavailable with that reason (an index of 15,000 platforms, a
 * config of 500,000 {@code Env} entries, a history of 7.9 MiB), read token by token without building what it would not
 * keep; and 60 images just under the limits (a history of almost 1 MiB each) fill the caches only up to
 * {@code customs.registry.cache-memory}. The heap after GC grows by at most that much.
 */
class OversizedImagesProcessIT {

    private static final Logger LOG = Logger.getLogger(OversizedImagesProcessIT.class);

    static final int AT_THE_LIMITS = 60;
    static final int CLIENTS = 4;
    static final int ROUNDS = 2;

    @Test
    void imagesOverTheLimitsAreRefusedAndTheCachesKeepToTheirBytes() throws Exception {
        // what is asserted is what an image over a limit is refused for, not how fast a loaded machine's registry
        // serves a 2 MiB index: the time limits are raised so that neither cuts the reading short
        try (Siege siege = Siege.start("oversized-images", Map.of("customs.registry.request-timeout", "20s",
                "customs.registry.budget", "30s"))) {
            TestRegistry registry = siege.registry;
            String host = registry.authority();
            Map<String, String> refused = new LinkedHashMap<>();
            TestRegistry.Pushed base = registry.pushImage("big/platforms", "base", TestImages.config().user("1"), true,
                    Map.of());
            List<TestImages.IndexEntry> platforms = new ArrayList<>();
            for (int i = 0; i < 15_000; i++) {
                platforms.add(new TestImages.IndexEntry(base.mediaType(), base.digest(), base.size(), "linux",
                        "arch" + i, null));
            }
            registry.pushIndex("big/platforms", "1.0", true, platforms, Map.of());
            refused.put(host + "/big/platforms:1.0", "the image index has 15000 manifests, more than the 256");
            TestImages.Config env = TestImages.config();
            for (int i = 0; i < 500_000; i++) {
                env.env("E" + i + "=1");
            }
            registry.pushImage("big/env", "1.0", env, true, Map.of());
            refused.put(host + "/big/env:1.0", "the image config has 500001 Env entries, more than the 1024");
            registry.pushImage("big/history", "1.0", TestImages.config().history("RUN " + "x".repeat(7_900_000)), true,
                    Map.of());
            refused.put(host + "/big/history:1.0", "the image config has more than 1024 KiB of text");

            List<String> atTheLimits = new ArrayList<>();
            for (int i = 0; i < AT_THE_LIMITS; i++) {
                TestImages.Config c = TestImages.config().user("10001").labels(TestImages.OCI_LABELS)
                        .entrypoint("/app/server");
                for (int h = 0; h < 1000; h++) {
                    c.history("RUN step " + h + " of image " + i + " " + "y".repeat(1000));
                }
                registry.pushImage("full/app" + i, "1.0", c, true, Map.of());
                atTheLimits.add(host + "/full/app" + i + ":1.0");
            }

            Probe probe = siege.probe();
            HttpClient http = siege.customs.client();
            Map<String, String> reasons = new ConcurrentHashMap<>();
            List<String> wrong = new CopyOnWriteArrayList<>();
            AtomicInteger serverErrors = new AtomicInteger();
            List<String> all = new ArrayList<>(refused.keySet());
            all.addAll(atTheLimits);
            AtomicInteger next = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long started = System.nanoTime();
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    running.add(clients.submit(() -> {
                        for (int i = next.getAndIncrement(); i < all.size() * ROUNDS; i = next.getAndIncrement()) {
                            String image = all.get(i % all.size());
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(siege.customs.validate())
                                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(Reviews.review(Reviews.pod(
                                            Siege.NAMESPACE, image)), StandardCharsets.UTF_8))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() >= 500) {
                                serverErrors.incrementAndGet();
                            }
                            JsonNode response = Reviews.MAPPER.readTree(r.body()).path("response");
                            String warnings = Reviews.warnings(response);
                            if (refused.containsKey(image)) {
                                reasons.put(image, warnings);
                            } else if (r.statusCode() != 200 || !response.path("allowed").asBoolean()
                                    || !warnings.isEmpty()) {
                                wrong.add(image + ": HTTP " + r.statusCode() + " " + r.body());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get(10, TimeUnit.MINUTES);
                }
            } finally {
                clients.shutdownNow();
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            long cacheMemory = siege.customs.chart.settingBytes("customs.registry.cache-memory");
            LOG.infof("[figure] oversized-images: %d images over a limit and %d at the limits (a history of 1,000 "
                    + "entries, about 1 MiB), %d rounds from %d clients in %d s, %d 5xx; cache-memory %.0f MiB",
                    refused.size(), AT_THE_LIMITS, ROUNDS, CLIENTS, seconds, serverErrors.get(), Siege.mib(cacheMemory));

            assertThat(serverErrors.get()).as("5xx answers").isZero();
            assertThat(wrong).as("images at the limits not allowed silently").isEmpty();
            refused.forEach((image, reason) -> assertThat(reasons.get(image)).as(image)
                    .startsWith("[image-unverified] " + image + ": " + reason));
            siege.assertHeld(probe, cacheMemory + (16L << 20), refused.size() + " images over the limits, "
                    + AT_THE_LIMITS + " at them");
        }
    }
}
