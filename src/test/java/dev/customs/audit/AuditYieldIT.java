package dev.customs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.AdmissionLoad;
import dev.customs.admission.WorkloadKind;
import dev.customs.image.ImageResolver;
import dev.customs.policy.Policy;
import dev.customs.report.Reporter;
import dev.customs.rules.RuleEngine;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The audit steps aside for admission, in a booted Customs: real {@code POST /validate} requests are held in flight
 * (their bodies half sent), and an audit over a thousand Deployments, built from the application's own engine, policy,
 * image resolver and recorder and told admission's load, advances only one object per {@code max-yield} while they
 * are; once they are answered it runs to the end. Nothing here depends on how fast the machine is: the bound on the
 * audit's progress is an upper bound that a slow machine only makes easier to keep, and every wait is for an event.
 */
@QuarkusTest
@TestProfile(AuditYieldIT.Profile.class)
class AuditYieldIT {

    /** The cap per step: long against a step of the audit, short enough that the test sees the audit advance. */
    static final Duration MAX_YIELD = Duration.ofMillis(250);
    static final int OBJECTS = 1000;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // the held bodies must not run into their deadline while the test looks at the audit
            return Map.of("customs.admission.body-timeout", "5m", "customs.audit.interval", "0");
        }
    }

    @TestHTTPResource("/validate")
    URL validate;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Inject
    AdmissionLoad load;
    @Inject
    ObjectMapper mapper;
    @Inject
    RuleEngine engine;
    @Inject
    Policy policy;
    @Inject
    ImageResolver images;
    @Inject
    Reporter reporter;

    @Test
    void heldReviewsHoldTheAuditToOneStepPerCapAndItResumesWhenTheyAreAnswered() throws Exception {
        byte[] review = review();
        double yieldedBefore = yieldedSeconds();
        List<HeldReview> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(HeldReview.start(validate, review));
        }
        await(() -> load.inFlight() == 2, "the two reviews to count as in flight");

        CountingSource source = new CountingSource(deployments());
        AuditScanner audit = new AuditScanner(source, null, mapper, engine, policy, images, reporter,
                Clock.systemUTC(), new AuditScanner.Settings(4, 0, 0, Duration.ofMinutes(5), 100, List.of(),
                        MAX_YIELD),
                load::busy);
        long started = System.nanoTime();
        CompletableFuture<AuditScanner.Result> run = CompletableFuture.supplyAsync(audit::runOnce);

        // while admission is busy the audit still advances (the cap), but one step per cap at most: every object
        // waits a whole cap, and so does the image the audit meets first
        await(() -> source.accepted.get() >= 3, "the audit to advance while admission is busy");
        int accepted = source.accepted.get();
        long elapsed = System.nanoTime() - started;
        assertThat(accepted).as("objects the audit took on in %d ms with admission busy", elapsed / 1_000_000)
                .isLessThanOrEqualTo((int) (elapsed / MAX_YIELD.toNanos()) + 1);
        assertThat(run).isNotDone();
        assertThat(load.inFlight()).isEqualTo(2);

        for (HeldReview r : held) {
            assertThat(r.finish()).as("the held review's answer").startsWith("HTTP/1.1 200");
        }
        await(() -> load.inFlight() == 0, "the answered reviews to leave the count");

        AuditScanner.Result result = run.get(5, TimeUnit.MINUTES);
        assertThat(result.objects()).isEqualTo(OBJECTS);
        assertThat(result.complete()).isTrue();
        assertThat(result.yields()).isGreaterThanOrEqualTo(3);
        // the waits before the answers each lasted the whole cap; the one under way when they came may have been cut
        assertThat(result.yielded()).isGreaterThanOrEqualTo(MAX_YIELD.multipliedBy(accepted - 1));
        assertThat(yieldedSeconds() - yieldedBefore).as("customs_audit_yielded_seconds_total grew by the waits")
                .isGreaterThanOrEqualTo(result.yielded().toNanos() / 1e9 - 1e-6);
    }

    @Test
    void aQuietAdmissionCostsTheAuditNothing() {
        assertThat(load.inFlight()).isZero();
        CountingSource source = new CountingSource(deployments());
        AuditScanner audit = new AuditScanner(source, null, mapper, engine, policy, images, reporter,
                Clock.systemUTC(), new AuditScanner.Settings(4, 0, 0, Duration.ofMinutes(5), 100, List.of(),
                        MAX_YIELD),
                load::busy);

        AuditScanner.Result result = audit.runOnce();

        assertThat(result.objects()).isEqualTo(OBJECTS);
        assertThat(result.yields()).isZero();
        assertThat(result.yielded()).isZero();
    }

    /** An AdmissionReview of a Pod, from the admission fixtures. */
    private static byte[] review() throws IOException {
        try (InputStream in = AuditYieldIT.class.getClassLoader()
                .getResourceAsStream("admission/kinds/pod-create.json")) {
            assertThat(in).isNotNull();
            return in.readAllBytes();
        }
    }

    private List<ObjectNode> deployments() {
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < OBJECTS; i++) {
            ObjectNode d = mapper.createObjectNode().put("apiVersion", "apps/v1").put("kind", "Deployment");
            d.putObject("metadata").put("name", "web-" + i).put("namespace", "shop").put("uid", "uid-web-" + i);
            ObjectNode pod = d.putObject("spec").putObject("template").putObject("spec");
            pod.putArray("containers").addObject().put("name", "app").put("image", "registry.example/web:1.0");
            out.add(d);
        }
        return out;
    }

    private double yieldedSeconds() throws IOException {
        try (InputStream in = metrics.openStream()) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(?m)^customs_audit_yielded_seconds_total(?:\\{[^}]*})?\\s+(\\S+)")
                    .matcher(text);
            assertThat(m.find()).as("customs_audit_yielded_seconds_total is exported").isTrue();
            return Double.parseDouble(m.group(1));
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Deployments in memory, counting those the audit took on (its sink returned). */
    private static final class CountingSource implements ObjectSource {
        final List<ObjectNode> deployments;
        final AtomicInteger accepted = new AtomicInteger();

        CountingSource(List<ObjectNode> deployments) {
            this.deployments = deployments;
        }

        @Override
        public void list(WorkloadKind kind, Sink sink) throws InterruptedException {
            if (kind != WorkloadKind.DEPLOYMENT) {
                return;
            }
            for (ObjectNode d : deployments) {
                if (sink.wants(d.get("metadata"))) {
                    boolean more = sink.accept(d);
                    accepted.incrementAndGet();
                    if (!more) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * An admission request over HTTP/1.1 whose headers and first half of its body are sent, the rest held back: in
     * flight, as the API server's request is while its body crosses a slow network.
     */
    private record HeldReview(Socket socket, byte[] rest) {

        static HeldReview start(URL validate, byte[] body) {
            try {
                Socket s = new Socket(validate.getHost(), validate.getPort());
                s.setSoTimeout((int) TimeUnit.MINUTES.toMillis(2));
                OutputStream out = s.getOutputStream();
                String head = "POST " + validate.getPath() + " HTTP/1.1\r\nHost: " + validate.getHost() + ":"
                        + validate.getPort() + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                int half = body.length / 2;
                out.write(body, 0, half);
                out.flush();
                byte[] rest = new byte[body.length - half];
                System.arraycopy(body, half, rest, 0, rest.length);
                return new HeldReview(s, rest);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Sends the rest of the body and returns the start of the answer. */
        String finish() throws IOException {
            try (Socket s = socket) {
                s.getOutputStream().write(rest);
                s.getOutputStream().flush();
                byte[] buf = new byte[64];
                int n = s.getInputStream().readNBytes(buf, 0, 12);
                return new String(buf, 0, n, StandardCharsets.US_ASCII);
            }
        }
    }
}
