package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.registry.Reviews;

/**
 * Attack 4 of issue 11: reviews whose answer would be huge. Before, a 2.5 MB review of 100,000 containers was answered
 * with 45 MB (a finding per container and rule, in the message and the causes), and three at once ran the heap out.
 *
 * <p>
 * Now an object with more containers than {@code customs.admission.max-containers} is denied at once, in a few hundred
 * bytes, as {@code [too-many-containers]}; such a review is charged its parsed size against the bodies in flight, so
 * when three arrive together the ones that do not fit are answered 429. An object at the limit whose every container
 * breaks several rules is answered with the first findings of each rule and how many more there are.
 */
class HugeReviewsProcessIT {

    private static final Logger LOG = Logger.getLogger(HugeReviewsProcessIT.class);

    static final int HUGE = 100_000;
    static final int ROUNDS = 4;
    /**
     * The attack goes on for at least this long, in more rounds when they are quick: the unrelated reviews the siege
     * counts come one every 20 ms or so, and four rounds take under a second on a fast machine.
     */
    static final Duration AT_LEAST = Duration.ofSeconds(3);

    @Test
    void hugeReviewsAreAnsweredSmallAndNeverExhaustTheHeap() throws Exception {
        try (Siege siege = Siege.start("huge-reviews", Map.of())) {
            int max = Integer.parseInt(siege.customs.chart.setting("customs.admission.max-containers"));
            String huge = Reviews.review(pod(HUGE, false));
            String atTheLimit = Reviews.review(pod(max, true));
            Probe probe = siege.probe();
            HttpClient http = siege.customs.client();
            Map<Integer, Integer> statuses = new TreeMap<>();
            long largest = 0;
            List<String> wrong = new ArrayList<>();
            long started = System.nanoTime();
            int rounds = 0;
            for (; rounds < ROUNDS || System.nanoTime() - started < AT_LEAST.toNanos(); rounds++) {
                List<CompletableFuture<HttpResponse<String>>> three = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    three.add(http.sendAsync(request(siege, huge), HttpResponse.BodyHandlers.ofString()));
                }
                three.add(http.sendAsync(request(siege, atTheLimit), HttpResponse.BodyHandlers.ofString()));
                for (int i = 0; i < three.size(); i++) {
                    HttpResponse<String> r = three.get(i).get(2, TimeUnit.MINUTES);
                    statuses.merge(r.statusCode(), 1, Integer::sum);
                    largest = Math.max(largest, r.body().length());
                    if (r.statusCode() == 429) {
                        continue;
                    }
                    if (r.statusCode() != 200) {
                        wrong.add("HTTP " + r.statusCode() + ": " + r.body());
                        continue;
                    }
                    JsonNode response = Reviews.MAPPER.readTree(r.body()).path("response");
                    String message = Reviews.message(response);
                    boolean right = i < 3
                            ? message.startsWith("[too-many-containers] Pod \"huge\" has " + HUGE + " containers")
                                    && response.at("/status/details/causes/0/field").asText()
                                            .equals("spec.containers")
                            : message.contains("[run-as-root] and " + (max - 10) + " more findings of this rule, "
                                    + "not listed")
                                    && message.contains("[latest-tag] and " + (max - 10) + " more findings");
                    if (r.statusCode() != 200 || response.path("allowed").asBoolean() || !right) {
                        wrong.add("HTTP " + r.statusCode() + ": " + r.body().substring(0, Math.min(2000,
                                r.body().length())));
                    }
                }
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            LOG.infof("[figure] huge-reviews: %d rounds of three %d-byte reviews of %d containers and one of %d "
                    + "containers breaking three rules each, in %d s: answers by status %s, largest %d bytes",
                    rounds, huge.length(), HUGE, max, seconds, statuses, largest);

            assertThat(wrong).as("answers that are not the expected denial").isEmpty();
            assertThat(statuses.keySet()).as("statuses").containsAnyOf(200).isSubsetOf(200, 429);
            assertThat(largest).as("largest answer, bytes").isLessThan(64 * 1024);
            siege.assertHeld(probe, 16L << 20, rounds + " rounds of three reviews of " + HUGE + " containers");
        }
    }

    private static HttpRequest request(Siege siege, String body) {
        return HttpRequest.newBuilder(siege.customs.validate()).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A pod of {@code n} containers; when {@code breaking}, each runs as root from a :latest image. */
    private static ObjectNode pod(int n, boolean breaking) {
        ObjectNode pod = Reviews.pod(Siege.NAMESPACE, "unused");
        ((ObjectNode) pod.get("metadata")).put("name", breaking ? "at-the-limit" : "huge");
        ArrayNode containers = Reviews.spec(pod).putArray("containers");
        for (int i = 0; i < n; i++) {
            ObjectNode c = containers.addObject().put("name", "c" + Integer.toString(i, 36));
            if (breaking) {
                // refused at once (a loopback address Customs never contacts): unverified, a warning
                c.put("image", "127.0.0.1:9/app:latest");
                c.putObject("securityContext").put("runAsUser", 0);
            } else {
                c.put("image", "a:1");
            }
        }
        return pod;
    }
}
