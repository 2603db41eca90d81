package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/**
 * Attack 5 of issue 11: reviews that are cheap to send and costly to evaluate. Before, a cached image with a 7.9 MiB
 * history cost 533 ms of event-loop time on every review (its history scanned for secrets again each time), and six
 * clients pushed unrelated reviews from 5 ms to 1 to 2 s; an exemption pattern of several {@code *} was matched by a
 * backtracking regular expression, quadratic on a long invalid image (9.9 s at 32k segments), on the event loop.
 *
 * <p>
 * Now an image keeps at most 1 MiB of history and config text, its verdicts are computed once per config digest
 * (issue 13), and patterns are matched in linear time. Six clients review a cached image with a history at that limit,
 * two others pods whose invalid image of 32k segments meets a pattern of five stars, for 20 s; the unrelated review's
 * p99 stays within the bound.
 */
class CostlyReviewsProcessIT {

    private static final Logger LOG = Logger.getLogger(CostlyReviewsProcessIT.class);

    static final Duration ATTACK = Duration.ofSeconds(20);
    static final int HISTORY_CLIENTS = 6;
    static final int GLOB_CLIENTS = 2;

    @Test
    void aCachedImageWithALongHistoryAndALongImageAgainstAGlobCostLittlePerReview() throws Exception {
        try (Siege siege = Siege.start("costly-reviews", Map.of("customs.exemptions.globbed.images", "*a*b*c*d*e*",
                "customs.exemptions.globbed.rules", "run-as-root", "customs.exemptions.globbed.reason",
                "a pattern of several stars"))) {
            TestImages.Config config = TestImages.config().user("10001").labels(TestImages.OCI_LABELS)
                    .entrypoint("/app/server");
            for (int h = 0; h < 1000; h++) {
                // 1,000 entries of about 1,030 characters: just under the 1 MiB of text an image may keep
                config.history("/bin/sh -c set -eux; apt-get install -y package-" + h + " " + "z".repeat(975));
            }
            var pushed = siege.registry.pushImage("costly/history", "1.0", config, true, Map.of());
            String longHistory = siege.registry.authority() + "/costly/history@" + pushed.digest();
            String segments = "a/".repeat(32_000) + "b";
            HttpClient http = siege.customs.client();
            // cached before the attack: what is measured is the cost of a warm review
            assertThat(send(http, siege, longHistory).statusCode()).isEqualTo(200);

            Probe probe = siege.probe();
            AtomicInteger reviews = new AtomicInteger();
            AtomicInteger serverErrors = new AtomicInteger();
            List<String> wrong = new CopyOnWriteArrayList<>();
            long end = System.nanoTime() + ATTACK.toNanos();
            ExecutorService clients = Executors.newFixedThreadPool(HISTORY_CLIENTS + GLOB_CLIENTS);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < HISTORY_CLIENTS + GLOB_CLIENTS; c++) {
                    String image = c < HISTORY_CLIENTS ? longHistory : segments;
                    running.add(clients.submit(() -> {
                        while (System.nanoTime() < end) {
                            HttpResponse<String> r = send(http, siege, image);
                            reviews.incrementAndGet();
                            if (r.statusCode() >= 500) {
                                serverErrors.incrementAndGet();
                            }
                            JsonNode response = Reviews.MAPPER.readTree(r.body()).path("response");
                            boolean right = image == longHistory ? response.path("allowed").asBoolean()
                                    : Reviews.message(response).startsWith("[latest-tag] ");
                            if ((r.statusCode() != 200 || !right) && wrong.size() < 5) {
                                wrong.add("HTTP " + r.statusCode() + ": " + r.body().substring(0,
                                        Math.min(1000, r.body().length())));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get(ATTACK.toSeconds() + 60, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }
            LOG.infof("[figure] costly-reviews: %d reviews in %d s from %d clients of a cached image with 1,000 "
                    + "history entries (about 1 MiB) and %d of an invalid image of 32k segments against a pattern of "
                    + "five stars, %d 5xx", reviews.get(), ATTACK.toSeconds(), HISTORY_CLIENTS, GLOB_CLIENTS,
                    serverErrors.get());

            assertThat(serverErrors.get()).as("5xx answers").isZero();
            assertThat(wrong).as("wrong answers").isEmpty();
            siege.assertHeld(probe, 16L << 20, "a cached image with a 1 MiB history from " + HISTORY_CLIENTS
                    + " clients, a 64 KB image against a glob from " + GLOB_CLIENTS);
        }
    }

    private static HttpResponse<String> send(HttpClient http, Siege siege, String image) throws Exception {
        return http.send(HttpRequest.newBuilder(siege.customs.validate()).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Reviews.review(Reviews.pod(Siege.NAMESPACE, image))))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
