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
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.image.registry.Reviews;

/**
 * Attack 2 of issue 11: pods whose image is a megabyte of invalid reference, each a new Event. Before, the Event
 * aggregation map kept every image string for the aggregation window (10 minutes): about 1 MiB per review, and some 350
 * reviews ran the heap out, killed the events thread and made reviews answer 500.
 *
 * <p>
 * Now the aggregation map is keyed by a digest, a report keeps only the lines an Event's note can show and a digest
 * of a long image, and an answer lists each finding in at most 1,024 characters. 400 such reviews leave the heap after
 * GC where it was, within a few MiB, and every answer small.
 */
class EventFloodProcessIT {

    private static final Logger LOG = Logger.getLogger(EventFloodProcessIT.class);

    static final int REVIEWS = 400;
    static final int CLIENTS = 2;
    static final int IMAGE = 1_000_000;

    @Test
    void megabyteImagesInEventsCostAFewBytesEach() throws Exception {
        try (Siege siege = Siege.start("event-flood", Map.of())) {
            Probe probe = siege.probe();
            HttpClient http = siege.customs.client();
            AtomicInteger next = new AtomicInteger();
            AtomicInteger serverErrors = new AtomicInteger();
            AtomicLong largestAnswer = new AtomicLong();
            List<String> wrong = new CopyOnWriteArrayList<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long started = System.nanoTime();
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    running.add(clients.submit(() -> {
                        for (int i = next.getAndIncrement(); i < REVIEWS; i = next.getAndIncrement()) {
                            String image = "registry.example/" + (char) ('a' + i % 26) + "x".repeat(IMAGE) + i + ":1.0";
                            var pod = Reviews.pod(Siege.NAMESPACE, image);
                            ((com.fasterxml.jackson.databind.node.ObjectNode) pod.get("metadata")).put("name",
                                    "flood-" + i);
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(siege.customs.validate())
                                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(Reviews.review(pod))).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() >= 500) {
                                serverErrors.incrementAndGet();
                            }
                            largestAnswer.accumulateAndGet(r.body().length(), Math::max);
                            JsonNode response = Reviews.MAPPER.readTree(r.body()).path("response");
                            if (r.statusCode() != 200 || response.path("allowed").asBoolean(true)
                                    || !Reviews.message(response).startsWith("[latest-tag] ")) {
                                if (wrong.size() < 5) {
                                    wrong.add("HTTP " + r.statusCode() + ": "
                                            + r.body().substring(0, Math.min(500, r.body().length())));
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                clients.shutdownNow();
            }
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            // the Events are posted (here: logged) from their queue after the answers
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            double events = 0;
            while (System.nanoTime() < deadline) {
                events = siege.customs.metric("customs_events_total", null);
                if (events >= REVIEWS) {
                    break;
                }
                Thread.sleep(200);
            }
            LOG.infof("[figure] event-flood: %d reviews with an image of %d characters in %d s, %d 5xx, largest "
                    + "answer %d bytes, %.0f Events", REVIEWS, IMAGE, seconds, serverErrors.get(), largestAnswer.get(),
                    events);

            assertThat(serverErrors.get()).as("5xx answers").isZero();
            assertThat(wrong).as("answers that are not a latest-tag denial").isEmpty();
            assertThat(largestAnswer.get()).as("largest answer, bytes").isLessThan(16 * 1024);
            assertThat(events).as("Events posted, aggregated or dropped").isGreaterThanOrEqualTo(REVIEWS);
            siege.assertHeld(probe, 16L << 20, REVIEWS + " reviews of megabyte images, each an Event");
        }
    }
}
