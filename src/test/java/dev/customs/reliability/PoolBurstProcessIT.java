package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.registry.RegistryProxy;
import dev.customs.image.registry.Reviews;
import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;

/**
 * Attack 6 of issue 11: one team's burst against another's images. Before, a burst of new images on one registry host
 * overflowed its connection pool (16 connections and 256 waiting), and the overflow was remembered as a registry
 * failure for {@code negative-ttl} (30 s): under {@code on-error=deny} other teams' healthy pods were denied.
 *
 * <p>
 * Now a full pool, and a lookup that timed out still waiting for a connection, are back-pressure: never remembered,
 * and a tag whose digest is due for a check keeps serving its last digest meanwhile. With {@code on-error=deny}, a
 * registry that takes 1 s per answer, and 320 new images from one namespace at once (32 pods of ten), another
 * namespace's warm image on
 * the same registry is allowed throughout, and every image the burst left unverified for back-pressure resolves at the
 * next review.
 */
class PoolBurstProcessIT {

    private static final Logger LOG = Logger.getLogger(PoolBurstProcessIT.class);

    static final int BURST = 320;
    /** Images per pod of the burst: ten, so every one is listed in the denial (ten findings per rule are). */
    static final int PER_POD = 10;
    private static final Pattern BUSY = Pattern.compile("\\[image-unverified] (\\S+): Customs is busy: .*");

    @Test
    void aFullPoolIsBackPressureNotAFailureAndWarmImagesKeepServing() throws Exception {
        RegistryProxy[] proxy = new RegistryProxy[1];
        try (Siege siege = Siege.start("pool-burst", registry -> {
            proxy[0] = new RegistryProxy(registry.base());
            return Map.of("customs.registry.insecure-registries", registry.authority() + "," + proxy[0].authority(),
                    "customs.registry.on-error", "deny", "customs.registry.tag-ttl", "2s");
        }, List.of()); RegistryProxy slow = proxy[0]) {
            TestRegistry registry = siege.registry;
            registry.pushImage("team-b/app", "1.0", TestImages.config().user("10001").labels(TestImages.OCI_LABELS)
                    .entrypoint("/app/server"), true, Map.of());
            String warm = slow.authority() + "/team-b/app:1.0";
            byte[] config = TestImages.config().user("10001").labels(TestImages.OCI_LABELS).entrypoint("/app/server")
                    .json();
            String configDigest = registry.pushBlob("team-a/app", config);
            byte[] layer = "team-a layer".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String layerDigest = registry.pushBlob("team-a/app", layer);
            byte[] manifest = TestImages.manifest(true, configDigest, config.length, layerDigest, layer.length,
                    Map.of());
            List<String> burst = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                registry.pushManifest("team-a/app", "burst-" + i, TestImages.OCI_MANIFEST, manifest);
                burst.add(slow.authority() + "/team-a/app:burst-" + i);
            }
            HttpClient http = siege.customs.client();
            assertThat(allowed(send(http, siege, "team-b", warm))).as("team B's image, warmed").isTrue();

            Probe probe = siege.probe();
            slow.delay(Duration.ofSeconds(1));
            Thread.sleep(2500); // team B's tag is now due for a check
            AtomicBoolean bursting = new AtomicBoolean(true);
            AtomicInteger warmReviews = new AtomicInteger();
            List<String> warmWrong = new CopyOnWriteArrayList<>();
            Thread teamB = new Thread(() -> {
                while (bursting.get()) {
                    try {
                        HttpResponse<String> r = send(http, siege, "team-b", warm);
                        warmReviews.incrementAndGet();
                        if (!allowed(r) && warmWrong.size() < 5) {
                            warmWrong.add("HTTP " + r.statusCode() + ": " + r.body());
                        }
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        warmWrong.add(e.toString());
                    }
                }
            }, "team-b");
            teamB.start();
            // the burst: pods of ten new images each, all at once, so that ten lookups start per connection
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            HttpClient burstClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(siege.customs.tls).connectTimeout(Duration.ofSeconds(30)).build();
            for (int i = 0; i < BURST; i += PER_POD) {
                ObjectNode pod = Reviews.pod("team-a", burst.get(i));
                ArrayNode containers = (ArrayNode) Reviews.spec(pod).get("containers");
                for (int k = 1; k < PER_POD; k++) {
                    containers.addObject().put("name", "app" + k).put("image", burst.get(i + k));
                }
                answers.add(burstClient.sendAsync(HttpRequest.newBuilder(siege.customs.validate())
                        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Reviews.review(pod))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            List<String> busy = new ArrayList<>();
            int serverErrors = 0;
            int allowedInBurst = 0;
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> r = answer.get(2, TimeUnit.MINUTES);
                if (r.statusCode() >= 500) {
                    serverErrors++;
                }
                if (allowed(r)) {
                    allowedInBurst += PER_POD;
                    continue;
                }
                for (String line : Reviews.message(Reviews.MAPPER.readTree(r.body()).path("response")).split("\n")) {
                    Matcher m = BUSY.matcher(line);
                    if (m.matches()) {
                        busy.add(m.group(1));
                    }
                }
            }
            bursting.set(false);
            teamB.join(30_000);
            double stale = siege.customs.metric("customs_image_resolutions_total", "result=\"stale\"");

            // the registry is fast again: what back-pressure left unverified resolves at once, nothing was remembered.
            // First the burst's requests still at the registry (each in its 1 s delay) and the resolutions Customs goes
            // on with after a review gave up on them must finish: a review that meets them waits for them, within its
            // own budget, and can still time out (seen once in CI), which says nothing about what was remembered.
            slow.delay(Duration.ZERO);
            if (!slow.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(60))) {
                throw new AssertionError("requests were still in flight at the registry 60 s after the burst: "
                        + slow.inFlight());
            }
            List<String> stillDenied = new ArrayList<>();
            for (String image : busy) {
                if (!allowed(send(http, siege, "team-a", image))) {
                    stillDenied.add(image);
                }
            }
            LOG.infof("[figure] pool-burst: %d new images at once from one namespace on a registry answering in 1 s: "
                    + "%d allowed, %d unverified for back-pressure (Customs is busy), %d 5xx; the other namespace's "
                    + "warm image: %d reviews, %d not allowed, stale digests served %.0f times; after the burst, %d of "
                    + "the back-pressured images still denied", BURST, allowedInBurst, busy.size(), serverErrors,
                    warmReviews.get(), warmWrong.size(), stale, stillDenied.size());

            assertThat(serverErrors).as("5xx answers").isZero();
            assertThat(busy).as("images the burst left unverified for back-pressure").isNotEmpty();
            assertThat(warmWrong).as("the other namespace's warm image, not allowed during the burst").isEmpty();
            assertThat(warmReviews.get()).as("reviews of the warm image during the burst").isPositive();
            // how often the warm tag was served stale is a figure, not a bound: whether its check had to wait for the
            // pool depends on how fast the pool drains on this machine; what must hold is that it stayed allowed
            assertThat(stillDenied).as("back-pressured images still denied after the burst (remembered as failures)")
                    .isEmpty();
            siege.assertHeld(probe, 16L << 20, BURST + " new images at once on a slow registry");
        }
    }

    private static boolean allowed(HttpResponse<String> r) throws Exception {
        if (r.statusCode() != 200) {
            return false;
        }
        JsonNode response = Reviews.MAPPER.readTree(r.body()).path("response");
        return response.path("allowed").asBoolean() && !response.has("warnings");
    }

    private static HttpRequest request(Siege siege, String namespace, String image) {
        return HttpRequest.newBuilder(siege.customs.validate()).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Reviews.review(Reviews.pod(namespace, image)))).build();
    }

    private static HttpResponse<String> send(HttpClient http, Siege siege, String namespace, String image)
            throws Exception {
        return http.send(request(siege, namespace, image), HttpResponse.BodyHandlers.ofString());
    }
}
