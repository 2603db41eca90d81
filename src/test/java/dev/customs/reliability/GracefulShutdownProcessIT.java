package dev.customs.reliability;

import static dev.customs.image.registry.Reviews.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.image.registry.RegistryProxy;
import dev.customs.image.registry.Reviews;
import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;

/**
 * Graceful shutdown of the packaged Customs with the shutdown settings it ships with: SIGTERM in the middle of load.
 *
 * <p>
 * Four clients post fast reviews (a digest-pinned image, cached) over keep-alive connections, one posts slow ones (a new
 * image from a registry that hangs, answered when the request timeout cuts it), a prober opens a new connection every
 * 50 ms, and a monitor polls readiness. At SIGTERM a slow review is in flight, and another is sent on a new connection
 * shortly before the shutdown delay ends. Then:
 * <ul>
 * <li>readiness turns DOWN within a second;</li>
 * <li>every review sent before the delay ends is answered 200, correctly, the in-flight ones included, on old and new
 * connections alike: the delay is there so the endpoints controller can stop routing to the pod first;</li>
 * <li>nothing is refused (neither a 503 nor a refused connection) before readiness is DOWN and the delay is over;</li>
 * <li>the slow review still in flight when the delay ends is answered 200 before the process exits;</li>
 * <li>the process exits within delay + timeout, the grace period it needs.</li>
 * </ul>
 */
class GracefulShutdownProcessIT {

    private static final Logger LOG = Logger.getLogger(GracefulShutdownProcessIT.class);

    private static final String NS = "shop";
    /** Quarkus sleeps the delay after the signal is handled; allow for that and for a loaded machine. */
    private static final long MARGIN_MS = 300;

    /** One request: when it was sent and answered (ns from SIGTERM), and how. */
    record Outcome(String what, long sent, long done, int status, String problem) {

        static final int REFUSED = -1;
        static final int FAILED = -2;

        boolean ok() {
            return status == 200 && problem == null;
        }

        @Override
        public String toString() {
            return what + " sent at " + sent / 1_000_000 + " ms, answered at " + done / 1_000_000 + " ms: "
                    + (status == REFUSED ? "connection refused" : status == FAILED ? "failed" : "HTTP " + status)
                    + (problem == null ? "" : " (" + problem + ")");
        }
    }

    final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    final AtomicLong sigterm = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong readinessDown = new AtomicLong(Long.MAX_VALUE);
    final AtomicInteger slowImages = new AtomicInteger();
    volatile boolean running = true;

    @Test
    void sigtermDuringLoadDrainsInFlightReviewsAndExitsWithinTheGracePeriod() throws Exception {
        Duration delay = shipped("%prod.quarkus.shutdown.delay");
        Duration timeout = shipped("quarkus.shutdown.timeout");
        assertThat(shippedValue("quarkus.shutdown.delay-enabled")).isEqualTo("true");

        try (TestRegistry registry = TestRegistry.start(TestRegistry.Auth.NONE);
                RegistryProxy proxy = new RegistryProxy(registry.base());
                CustomsProcess customs = CustomsProcess.start(
                        Map.of("customs.registry.insecure-registries", proxy.authority()),
                        CustomsProcess.logFile("graceful-shutdown"))) {
            TestRegistry.Pushed p = registry.pushImage("shutdown/app", "1.0", TestImages.config().user("10001")
                    .labels(TestImages.OCI_LABELS).entrypoint("/app/server"), true, Map.of());
            String pinned = proxy.authority() + "/shutdown/app@" + p.digest();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            assertThat(post(http, customs, "warm-up", Reviews.review(pod(NS, pinned)), pinned).ok()).isTrue();
            // from now on every new image waits for the registry until the request timeout (2 s) cuts it
            proxy.delay(Duration.ofSeconds(60));

            long zero = System.nanoTime();
            sigterm.set(zero + TimeUnit.HOURS.toNanos(1));
            ExecutorService load = Executors.newCachedThreadPool();
            try {
                for (int i = 0; i < 4; i++) {
                    load.submit(() -> loop(() -> post(http, customs, "fast review", Reviews.review(pod(NS, pinned)),
                            pinned), 0));
                }
                load.submit(() -> loop(() -> slow(http, customs, proxy, "slow review"), 0));
                load.submit(() -> loop(() -> raw(customs, "new connection", Reviews.review(pod(NS, pinned)), pinned),
                        50));
                load.submit(() -> monitorReadiness(http, customs));

                Thread.sleep(1500);
                CompletableFuture<Outcome> inFlight = CompletableFuture.supplyAsync(() -> slow(http, customs, proxy,
                        "review in flight at SIGTERM"), load);
                Thread.sleep(300);
                sigterm.set(System.nanoTime());
                customs.sigterm();

                Thread.sleep(delay.toMillis() - 700);
                CompletableFuture<Outcome> late = CompletableFuture.supplyAsync(() -> {
                    String image = proxy.authority() + "/shutdown/late:1.0";
                    return raw(customs, "review in flight when the delay ends", Reviews.review(pod(NS, image)), image);
                }, load);

                Integer exit = customs.awaitExit(delay.plus(timeout).plusSeconds(5));
                long exited = System.nanoTime() - sigterm.get();
                running = false;
                Outcome atSigterm = inFlight.get(30, TimeUnit.SECONDS);
                Outcome whenDelayEnds = late.get(30, TimeUnit.SECONDS);

                report(delay, timeout, exit, exited, atSigterm, whenDelayEnds);
                String log = customs.log();
                assertThat(exit).as("exit within delay + timeout + 5 s; log:%n%s", log).isNotNull();
                // 143: the JVM ends on SIGTERM as any process killed by it, after its shutdown hooks have run
                assertThat(exit).as("exit code").isIn(0, 143);
                assertThat(exited).as("ns from SIGTERM to exit").isLessThan(delay.plus(timeout).toNanos());

                long down = readinessDown.get() - sigterm.get();
                assertThat(down).as("ns from SIGTERM to readiness DOWN").isBetween(0L, TimeUnit.SECONDS.toNanos(1));

                assertThat(atSigterm.ok()).as("%s", atSigterm).isTrue();
                assertThat(atSigterm.sent()).isNegative();
                assertThat(atSigterm.done()).as("answered after SIGTERM").isPositive();
                assertThat(whenDelayEnds.ok()).as("%s", whenDelayEnds).isTrue();
                assertThat(whenDelayEnds.done()).as("answered after the delay").isGreaterThan(delay.toNanos());
                assertThat(whenDelayEnds.done()).as("answered before the exit").isLessThan(exited);

                long servingUntil = delay.toNanos() - TimeUnit.MILLISECONDS.toNanos(MARGIN_MS);
                List<Outcome> failedEarly = outcomes.stream().filter(o -> !o.ok() && o.sent() < servingUntil).toList();
                assertThat(failedEarly).as("reviews sent before the delay ended that were not answered 200").isEmpty();
                long firstRefusal = outcomes.stream().filter(o -> !o.ok()).mapToLong(Outcome::sent).min()
                        .orElse(Long.MAX_VALUE);
                assertThat(firstRefusal).as("first refusal (503 or connection refused), ns from SIGTERM")
                        .isGreaterThan(down);
                assertThat(outcomes.stream().filter(o -> o.ok() && o.sent() > down && o.what().equals("new connection")))
                        .as("new connections served while readiness was DOWN").isNotEmpty();
                assertThat(outcomes.stream().filter(o -> o.sent() > 0 && o.sent() < servingUntil)).as("reviews sent "
                        + "during the delay").hasSizeGreaterThan(20);
                assertThat(log).as("the log").doesNotContain("ERROR").doesNotContain("Graceful shutdown failed");
            } finally {
                running = false;
                load.shutdownNow();
            }
        }
    }

    private void report(Duration delay, Duration timeout, Integer exit, long exited, Outcome atSigterm,
            Outcome whenDelayEnds) {
        long lastServedNew = outcomes.stream().filter(o -> o.ok() && o.what().equals("new connection"))
                .mapToLong(Outcome::sent).max().orElse(0);
        long firstRefused = outcomes.stream().filter(o -> !o.ok()).mapToLong(Outcome::sent).min().orElse(-1);
        long okDuringDelay = outcomes.stream().filter(o -> o.ok() && o.sent() > 0).count();
        LOG.infof("[figure] shutdown (delay %d s, timeout %d s): SIGTERM at 0 ms; readiness DOWN at %d ms; "
                + "%d reviews answered 200 after SIGTERM; last new connection served (sent) at %d ms; first refusal "
                + "(503 or refused, sent) at %d ms; review in flight at SIGTERM answered at %d ms; review in flight when "
                + "the delay ended answered at %d ms; exit at %d ms with code %s", delay.toSeconds(),
                timeout.toSeconds(), (readinessDown.get() - sigterm.get()) / 1_000_000, okDuringDelay,
                lastServedNew / 1_000_000, firstRefused / 1_000_000, atSigterm.done() / 1_000_000,
                whenDelayEnds.done() / 1_000_000, exited / 1_000_000, exit);
    }

    /** A setting as shipped in application.properties. */
    private static String shippedValue(String key) throws IOException {
        Properties p = new Properties();
        try (InputStream in = GracefulShutdownProcessIT.class.getClassLoader()
                .getResourceAsStream("application.properties")) {
            p.load(in);
        }
        String v = p.getProperty(key);
        assertThat(v).as("%s in application.properties", key).isNotNull();
        return v.strip();
    }

    /** A duration setting as shipped ({@code 5s}). */
    private static Duration shipped(String key) throws IOException {
        String v = shippedValue(key);
        assertThat(v).as(key).matches("\\d+s");
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
    }

    private void loop(Supplier<Outcome> request, long pauseMs) {
        while (running) {
            Outcome o = request.get();
            if (o.status() == Outcome.REFUSED && System.nanoTime() > sigterm.get()) {
                pause(20);
            }
            pause(pauseMs);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void monitorReadiness(HttpClient http, CustomsProcess customs) {
        while (running && readinessDown.get() == Long.MAX_VALUE) {
            int status;
            try {
                status = http.send(HttpRequest.newBuilder(customs.ready()).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = -1;
            } catch (InterruptedException e) {
                return;
            }
            if (status != 200) {
                readinessDown.compareAndSet(Long.MAX_VALUE, System.nanoTime());
            }
            pause(25);
        }
    }

    private Outcome slow(HttpClient http, CustomsProcess customs, RegistryProxy proxy, String what) {
        String image = proxy.authority() + "/shutdown/slow-" + slowImages.incrementAndGet() + ":1.0";
        return post(http, customs, what, Reviews.review(pod(NS, image)), image);
    }

    /** POSTs over the client's keep-alive connections. */
    private Outcome post(HttpClient http, CustomsProcess customs, String what, String review, String image) {
        long sent = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(customs.validate()).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(review))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return record(what, sent, r.statusCode(), r.body(), review, image);
        } catch (ConnectException e) {
            return record(what, sent, Outcome.REFUSED, null, review, image);
        } catch (IOException e) {
            return record(what, sent, Outcome.FAILED, e.toString(), review, image);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return record(what, sent, Outcome.FAILED, e.toString(), review, image);
        }
    }

    /** POSTs on a new connection of its own ({@code Connection: close}), as a new client would. */
    private Outcome raw(CustomsProcess customs, String what, String review, String image) {
        long sent = System.nanoTime();
        byte[] body = review.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", customs.port()), 2000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = answer.indexOf("\r\n\r\n");
            if (!answer.startsWith("HTTP/1.1 ") || headEnd < 0) {
                return record(what, sent, Outcome.FAILED, "not an HTTP answer: " + answer, review, image);
            }
            String head = answer.substring(0, headEnd).toLowerCase();
            String payload = answer.substring(headEnd + 4);
            if (head.contains("transfer-encoding: chunked")) {
                payload = dechunk(payload);
            }
            return record(what, sent, Integer.parseInt(answer.substring(9, 12)), payload, review, image);
        } catch (ConnectException e) {
            return record(what, sent, Outcome.REFUSED, null, review, image);
        } catch (IOException e) {
            return record(what, sent, Outcome.FAILED, e.toString(), review, image);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol).strip(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    /** Records the outcome, checking a 200 for the answer its review must get. */
    private Outcome record(String what, long sent, int status, String body, String review, String image) {
        String problem = status == Outcome.FAILED ? body : null;
        if (status == 200) {
            problem = check(body, review, image);
        }
        long base = sigterm.get();
        Outcome o = new Outcome(what, sent - base, System.nanoTime() - base, status, problem);
        if (!what.equals("warm-up")) {
            outcomes.add(o);
        }
        return o;
    }

    /** Null when the answer is right: the uid echoed; pinned images allowed silently, new ones unverified. */
    private static String check(String body, String review, String image) {
        try {
            JsonNode response = Reviews.MAPPER.readTree(body).path("response");
            String uid = Reviews.MAPPER.readTree(review).path("request").path("uid").asText();
            if (!response.path("uid").asText().equals(uid)) {
                return "uid not echoed";
            }
            if (!response.path("allowed").asBoolean()) {
                return "denied: " + body;
            }
            List<String> warnings = new ArrayList<>();
            response.path("warnings").forEach(w -> warnings.add(w.asText()));
            boolean expectUnverified = !image.contains("@sha256:");
            if (expectUnverified ? warnings.size() != 1 || !warnings.get(0).startsWith("[image-unverified] " + image)
                    : !warnings.isEmpty()) {
                return "warnings " + warnings;
            }
            return null;
        } catch (IOException e) {
            return "not JSON: " + body;
        }
    }
}
