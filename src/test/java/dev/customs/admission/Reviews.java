package dev.customs.admission;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Posts AdmissionReview fixtures from {@code src/test/resources/admission/} to {@code POST /validate} of the booted
 * application and checks answers against the contract of DESIGN.md. Every 200 answer is checked for the echoed
 * {@code apiVersion} and {@code uid}; every denial for its exact shape.
 */
final class Reviews {

    static final ObjectMapper JSON = new ObjectMapper();

    /** {@code [rule-id] problem: fix} — the problem and the fix are separated by the last ": " of the line. */
    private static final Pattern LINE = Pattern.compile("\\[([a-z-]+)] (.+): (.+)");
    /** A container segment of a field path: {@code initContainers[0]}. */
    private static final Pattern CONTAINER = Pattern.compile("(initContainers|containers|ephemeralContainers)\\[(\\d+)]");

    private Reviews() {
    }

    /** One {@code status.details.causes[]} entry, as {@code rule-id field.path}. */
    record Cause(String reason, String field) {

        static Cause parse(String s) {
            String[] parts = s.strip().split("\\s+");
            return new Cause(parts[0], parts[1]);
        }

        /** {@code "run-as-root spec.containers[0].image; latest-tag ..."} */
        static List<Cause> list(String s) {
            return Stream.of(s.split(";")).filter(x -> !x.isBlank()).map(Cause::parse).toList();
        }
    }

    /** A fixture's bytes, by path under {@code admission/}. */
    static byte[] bytes(String fixture) {
        try (InputStream in = Reviews.class.getClassLoader().getResourceAsStream("admission/" + fixture)) {
            assertThat(in).as("fixture admission/%s", fixture).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode read(String fixture) {
        try {
            return (ObjectNode) JSON.readTree(bytes(fixture));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode read(Path file) {
        try {
            return (ObjectNode) JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file names in a fixture folder, so a test can fail on fixtures nobody checks. */
    static Set<String> folder(String folder) {
        URL url = Reviews.class.getClassLoader().getResource("admission/" + folder);
        assertThat(url).as("fixture folder admission/%s", folder).isNotNull();
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Posts raw bytes the way the kube-apiserver does. */
    static Response postRaw(byte[] body) {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON).body(body).when().post("/validate");
    }

    /** Posts a fixture; see {@link #post(JsonNode)}. */
    static JsonNode post(String fixture) {
        return post(read(fixture));
    }

    /**
     * Posts a review and returns the answer after checking what every answer must have: 200, JSON, the request's
     * apiVersion, kind AdmissionReview, the request's uid, and a boolean {@code allowed}.
     */
    static JsonNode post(JsonNode request) {
        Response r;
        try {
            r = postRaw(JSON.writeValueAsBytes(request));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(r.statusCode()).as("HTTP status; body: %s", r.asString()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode review;
        try {
            review = JSON.readTree(r.asByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(review.path("apiVersion").asText()).as("apiVersion echoed")
                .isEqualTo(request.path("apiVersion").asText());
        assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(review.path("response").path("uid").asText()).as("uid echoed")
                .isEqualTo(request.path("request").path("uid").asText()).isNotEmpty();
        assertThat(review.path("response").path("allowed").isBoolean()).as("allowed is a boolean").isTrue();
        return review;
    }

    /**
     * Allowed with nothing to say: only the uid and {@code allowed: true}, no status, warnings or audit annotations. This
     * is the answer to a request that is not evaluated, and to a clean one.
     */
    static void assertAllowedSilently(JsonNode review) {
        JsonNode response = review.path("response");
        assertThat(response.path("allowed").asBoolean()).as("allowed; response: %s", response).isTrue();
        assertThat(names(response)).as("response fields of %s", response).containsExactlyInAnyOrder("uid", "allowed");
    }

    /**
     * Allowed after evaluation, with only {@code [image-unverified]} warnings (the production inspector reaches no
     * registry); returns the warnings.
     */
    static List<String> assertAllowedUnverified(JsonNode review) {
        JsonNode response = review.path("response");
        assertThat(response.path("allowed").asBoolean()).as("allowed; response: %s", response).isTrue();
        assertThat(response.has("status")).as("status of an allowed response").isFalse();
        List<String> warnings = warnings(review);
        assertThat(warnings).allSatisfy(w -> assertThat(w).startsWith("[image-unverified] ").hasSizeLessThanOrEqualTo(256));
        return warnings;
    }

    static List<String> warnings(JsonNode review) {
        List<String> out = new ArrayList<>();
        review.path("response").path("warnings").forEach(w -> out.add(w.asText()));
        return out;
    }

    /**
     * Checks a denial against DESIGN.md and returns its causes: allowed false, status code 403 and reason Forbidden,
     * one message line per cause in the same order, each line {@code [reason] problem: fix} with the cause's reason
     * and message, and every problem naming the container and its image (for pod-level findings, at least one
     * container of the pod).
     */
    static List<Cause> assertDenied(JsonNode request, JsonNode review) {
        JsonNode response = review.path("response");
        assertThat(response.path("allowed").asBoolean()).as("allowed; response: %s", response).isFalse();
        JsonNode status = response.path("status");
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("code").asInt()).isEqualTo(403);
        assertThat(status.path("reason").asText()).isEqualTo("Forbidden");
        List<String> lines = List.of(status.path("message").asText().split("\n"));
        JsonNode causes = status.path("details").path("causes");
        assertThat(causes.isArray()).as("status.details.causes is a list").isTrue();
        assertThat(lines).as("one message line per cause").hasSize(causes.size());
        JsonNode object = request.path("request").path("object");
        List<Cause> out = new ArrayList<>();
        for (int i = 0; i < causes.size(); i++) {
            JsonNode cause = causes.get(i);
            String reason = cause.path("reason").asText();
            String field = cause.path("field").asText();
            String line = lines.get(i);
            assertThat(names(cause)).containsExactlyInAnyOrder("reason", "field", "message");
            assertThat(cause.path("message").asText()).isEqualTo(line);
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as("line \"%s\" is [rule-id] problem: fix", line).isTrue();
            assertThat(m.group(1)).as("rule id of line \"%s\"", line).isEqualTo(reason);
            assertThat(field).as("field of \"%s\"", line).startsWith("spec.");
            assertNamesContainer(object, field, line);
            out.add(new Cause(reason, field));
        }
        return out;
    }

    /** The problem names the container the field points into, or for a pod-level field, some container of the pod. */
    private static void assertNamesContainer(JsonNode object, String field, String line) {
        Matcher m = CONTAINER.matcher(field);
        List<JsonNode> candidates = new ArrayList<>();
        int end = 0;
        while (m.find()) {
            end = m.end();
        }
        if (end > 0) {
            candidates.add(at(object, field.substring(0, end)));
        } else {
            List<String> segments = List.of(field.split("\\."));
            JsonNode podSpec = at(object, String.join(".", segments.subList(0, segments.lastIndexOf("spec") + 1)));
            for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
                podSpec.path(list).forEach(candidates::add);
            }
        }
        assertThat(candidates).as("containers for field %s", field).isNotEmpty();
        assertThat(candidates).as("line \"%s\" names a container and its image", line).anySatisfy(c -> {
            assertThat(line).contains("\"" + c.path("name").asText() + "\"");
            assertThat(line).contains(c.path("image").asText());
        });
    }

    /** The node at a field path such as {@code spec.template.spec.containers[1]}. */
    static JsonNode at(JsonNode object, String path) {
        JsonNode n = object;
        for (String segment : path.split("\\.")) {
            int bracket = segment.indexOf('[');
            if (bracket < 0) {
                n = n.path(segment);
            } else {
                n = n.path(segment.substring(0, bracket))
                        .path(Integer.parseInt(segment.substring(bracket + 1, segment.length() - 1)));
            }
        }
        assertThat(n.isMissingNode()).as("field path %s exists in the object", path).isFalse();
        return n;
    }

    /** The same review turned into a CREATE of its object, to show that the object itself violates. */
    static ObjectNode asCreate(ObjectNode review) {
        ObjectNode copy = review.deepCopy();
        ObjectNode req = (ObjectNode) copy.get("request");
        req.put("uid", req.get("uid").asText().replaceFirst(".$", "c"));
        req.put("operation", "CREATE");
        req.putNull("oldObject");
        req.remove("subResource");
        req.remove("requestSubResource");
        req.putObject("options").put("kind", "CreateOptions").put("apiVersion", "meta.k8s.io/v1");
        return copy;
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }
}
