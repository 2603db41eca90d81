package dev.customs.reliability;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.image.registry.Reviews;

/**
 * An unrelated review, sent again and again while an attack runs, as the API server would send one for another team:
 * a pod whose image is cached, over a connection kept alive from before the attack. Every answer must be a 200 that
 * allows it silently; its latencies give the p99 the attacks are bounded by.
 */
final class Probe implements AutoCloseable {

    private final ProductionProcess customs;
    private final String image;
    private final Duration timeout;
    private final HttpClient http;
    private final Thread thread;
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    final List<String> wrong = new CopyOnWriteArrayList<>();
    final AtomicInteger serverErrors = new AtomicInteger();
    private volatile boolean running = true;

    /** Sends one review now (the connection is then open), and starts sending them every {@code pause}. */
    Probe(ProductionProcess customs, String namespace, String image, Duration pause) {
        this.customs = customs;
        this.image = image;
        this.timeout = Duration.parse("PT" + customs.chart.setting("quarkus.shutdown.timeout").toUpperCase());
        this.http = customs.client();
        send(namespace);
        latencies.clear();
        this.thread = new Thread(() -> {
            while (running) {
                send(namespace);
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void send(String namespace) {
        String review = Reviews.review(Reviews.pod(namespace, image));
        long start = System.nanoTime();
        try {
            // the API server's timeout for one review: the chart's webhook.timeoutSeconds (quarkus.shutdown.timeout)
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(customs.validate()).timeout(timeout)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(review))
                    .build(), HttpResponse.BodyHandlers.ofString());
            latencies.add(System.nanoTime() - start);
            if (r.statusCode() >= 500) {
                serverErrors.incrementAndGet();
            }
            String problem = check(r, review);
            if (problem != null && wrong.size() < 10) {
                wrong.add(problem);
            }
        } catch (IOException e) {
            latencies.add(System.nanoTime() - start);
            if (wrong.size() < 10) {
                wrong.add("no answer: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String check(HttpResponse<String> r, String review) {
        if (r.statusCode() != 200) {
            return "HTTP " + r.statusCode() + ": " + r.body();
        }
        try {
            JsonNode response = Reviews.MAPPER.readTree(r.body()).path("response");
            String uid = Reviews.MAPPER.readTree(review).path("request").path("uid").asText();
            if (!response.path("uid").asText().equals(uid) || !response.path("allowed").asBoolean()
                    || response.has("warnings")) {
                return "not a silent allow: " + r.body();
            }
            return null;
        } catch (IOException e) {
            return "not JSON: " + r.body();
        }
    }

    int count() {
        return latencies.size();
    }

    /** The 99th percentile of the latencies so far, ms. */
    long p99Millis() {
        List<Long> sorted;
        synchronized (latencies) {
            sorted = new ArrayList<>(latencies);
        }
        if (sorted.isEmpty()) {
            return 0;
        }
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1_000_000;
    }

    long maxMillis() {
        synchronized (latencies) {
            return latencies.stream().mapToLong(Long::longValue).max().orElse(0) / 1_000_000;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(timeout.toMillis() + 1000);
    }
}
