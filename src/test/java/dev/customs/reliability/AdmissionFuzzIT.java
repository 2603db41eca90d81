package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.image.ImageInspector;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.Platform;
import dev.customs.rules.PlatformImage;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Input fuzzing of {@code POST /validate}, bounded in time: the AdmissionReview fixtures under
 * {@code src/test/resources/admission/}, mutated by {@link ReviewMutator}, are posted one after the other for
 * {@code reliability.fuzz.seconds} (default 20). Every answer must be a 200 carrying a parsable AdmissionReview that echoes
 * the request's apiVersion and uid, or a plain-text 400; never a 5xx, another status, or no answer within 10 s.
 *
 * <p>
 * The inputs follow from one seed ({@code reliability.fuzz.seed}, printed), input {@code i} from its own generator, so a
 * failure reproduces with the same seed; the bodies of failing inputs are also written to
 * {@code target/fuzz-failures/}. Images are answered in memory (root, clean, two-platform or unavailable, by a hash of
 * the reference), so every rule runs on the mutated pod specs and no registry or DNS is asked about made-up hosts.
 */
@QuarkusTest
class AdmissionFuzzIT {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AdmissionFuzzIT.class);

    private static final long SEED = Long.getLong("reliability.fuzz.seed", 20_260_218L);
    private static final Duration DURATION = Duration.ofSeconds(Long.getLong("reliability.fuzz.seconds", 20));
    private static final Duration HANG = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/validate")
    URL validate;

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    /** Answers by HTTP status. */
    private final Map<Integer, Integer> statuses = new TreeMap<>();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Events of thousands of distinct mutated objects would be logged one by one; the test has no use for them. */
    private static final Logger EVENTS = Logger.getLogger("dev.customs.events");
    private Level eventsLevel;

    @BeforeEach
    void quietEvents() {
        eventsLevel = EVENTS.getLevel();
        EVENTS.setLevel(Level.WARNING);
    }

    @AfterEach
    void eventsAsBefore() {
        EVENTS.setLevel(eventsLevel);
    }

    @BeforeEach
    void imagesInMemory() {
        ImageConfig root = new ImageConfig(Platform.of("linux", "amd64"), "", List.of("/bin/sh", "-c", "node app.js"),
                List.of(), List.of("NPM_TOKEN=npm_" + "q".repeat(36)), Map.of(),
                List.of(new ImageConfig.History("|1 NPM_TOKEN=npm_" + "q".repeat(36) + " /bin/sh -c npm ci", false)));
        ImageConfig clean = new ImageConfig(Platform.of("linux", "arm64"), "10001", List.of("/app"), List.of(),
                List.of("PATH=/bin"), Map.of("org.opencontainers.image.title", "t", "org.opencontainers.image.source",
                        "s", "org.opencontainers.image.version", "v", "org.opencontainers.image.revision", "r"),
                List.of());
        ImageFacts twoPlatforms = new ImageFacts.Resolved("sha256:" + "1".repeat(64), List.of(
                new PlatformImage(root.platform(), root, Map.of()), new PlatformImage(clean.platform(), clean, Map.of())));
        ImageInspector inMemory = (ref, request) -> CompletableFuture.completedFuture(
                switch (Math.floorMod(String.valueOf(ref.original()).hashCode(), 4)) {
                    case 0 -> ImageFacts.Resolved.of(root);
                    case 1 -> ImageFacts.Resolved.of(clean);
                    case 2 -> twoPlatforms;
                    default -> new ImageFacts.Unavailable("the fuzz test's registry is made up");
                });
        QuarkusMock.installMockForType(inMemory, ImageInspector.class);
    }

    @Test
    void mutatedReviewsAreAnsweredOrRefusedButNeverFail() throws Exception {
        List<JsonNode> fixtures = fixtures();
        assertThat(fixtures).hasSizeGreaterThan(50);
        LOG.infof("[figure] fuzz: seed=%d (rerun with -Dreliability.fuzz.seed=%d), %d fixtures, for %d s", SEED,
                SEED, fixtures.size(), DURATION.toSeconds());

        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + DURATION.toNanos();
        long bytes = 0;
        int iterations = 0;
        while (System.nanoTime() < deadline && failures.size() < 10) {
            int i = iterations++;
            ReviewMutator.Input input = new ReviewMutator(new Random(SEED * 1_000_003L + i), fixtures).next();
            bytes += input.body().length;
            String problem = check(input.body());
            if (problem == null) {
                continue;
            }
            failures.add(report(i, input, problem));
        }
        LOG.infof("[figure] fuzz: seed=%d, %d inputs (%.1f MiB) in %d s, answers by status %s", SEED,
                iterations, bytes / (1024.0 * 1024), DURATION.toSeconds(), statuses);

        assertThat(failures).as("inputs that failed (seed %d)", SEED).isEmpty();
        assertThat(statuses.keySet()).as("statuses answered").containsOnly(200, 400);
        assertThat(statuses.getOrDefault(200, 0)).as("inputs evaluated").isGreaterThan(iterations / 10);
        assertThat(http.send(HttpRequest.newBuilder(live.toURI()).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).as("live after the fuzz").isEqualTo(200);
    }

    /** Posts one input; null when the answer is acceptable, otherwise what is wrong with it. */
    private String check(byte[] body) throws IOException, InterruptedException, URISyntaxException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(HttpRequest.newBuilder(validate.toURI()).timeout(HANG).header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            return "no answer within " + HANG.toSeconds() + " s";
        } catch (IOException e) {
            return "the connection failed: " + e;
        }
        statuses.merge(r.statusCode(), 1, Integer::sum);
        String contentType = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() == 400) {
            if (!contentType.startsWith("text/plain") || r.body().length == 0) {
                return "a 400 without a plain-text explanation (" + contentType + ")";
            }
            return null;
        }
        if (r.statusCode() != 200) {
            return "HTTP " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(r.body());
        } catch (IOException e) {
            return "a 200 whose body is not JSON";
        }
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            return "a 200 for a body that is not JSON";
        }
        String uid = request.path("request").path("uid").asText("");
        if (uid.isEmpty()) {
            return "a 200 for a review without a uid";
        }
        if (!answer.path("kind").asText().equals("AdmissionReview")
                || !answer.path("apiVersion").asText().equals(request.path("apiVersion").asText())) {
            return "a 200 that is not an AdmissionReview of the request's apiVersion: " + answer.path("apiVersion");
        }
        JsonNode response = answer.path("response");
        if (!response.path("uid").asText().equals(uid)) {
            return "the uid is not echoed";
        }
        if (!response.path("allowed").isBoolean()) {
            return "response.allowed is not a boolean";
        }
        return null;
    }

    private String report(int i, ReviewMutator.Input input, String problem) throws IOException {
        Path dir = Path.of("target", "fuzz-failures");
        Files.createDirectories(dir);
        Path file = dir.resolve("seed-" + SEED + "-input-" + i + ".json");
        Files.write(file, input.body());
        return "input " + i + " (" + input.description() + "): " + problem + "; body in " + file;
    }

    /** Every JSON fixture under admission/ that parses, as the mutator's starting points. */
    private static List<JsonNode> fixtures() throws IOException, URISyntaxException {
        URL root = AdmissionFuzzIT.class.getClassLoader().getResource("admission");
        assertThat(root).isNotNull();
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(root.toURI()))) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                try {
                    JsonNode n = JSON.readTree(p.toFile());
                    if (n != null) {
                        out.add(n);
                    }
                } catch (IOException e) {
                    // not JSON (bad/not-json.txt, bad/truncated.json): nothing to mutate from
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
    }
}
