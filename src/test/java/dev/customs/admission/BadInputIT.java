package dev.customs.admission;

import static dev.customs.admission.Reviews.assertDenied;
import static dev.customs.admission.Reviews.post;
import static dev.customs.admission.Reviews.postRaw;
import static dev.customs.admission.Reviews.read;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Input that is not a usable AdmissionReview is answered 400 with a plain-text explanation: never a 500, never a stack
 * trace, never an allow, and never an echo of a field value (it may be a secret). Every fixture under
 * {@code admission/bad/} carries {@code hunter2-must-not-echo} somewhere for that check. The last test shows the
 * process still serves afterwards.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {

    private static final String MARKER = "hunter2-must-not-echo";
    private static final int MIB = 1024 * 1024;

    /** Each fixture under {@code admission/bad/} and what the 400 says about it. */
    private static final String BAD_REQUESTS = """
            not-json.txt                 | the request body is not valid JSON (error at line 1, column
            truncated.json               | the request body is not valid JSON
            json-array.json              | the request body is JSON but not an object; expected an AdmissionReview
            json-string.json             | the request body is JSON but not an object; expected an AdmissionReview
            bare-pod.json                | the request body is not an AdmissionReview (kind is "Pod")
            wrong-api-version.json       | unsupported AdmissionReview apiVersion "admission.k8s.io/v2"
            no-api-version.json          | unsupported AdmissionReview apiVersion (missing)
            no-request.json              | the AdmissionReview has no request object
            request-not-object.json      | the AdmissionReview has no request object
            no-uid.json                  | the AdmissionReview request has no uid
            empty-uid.json               | the AdmissionReview request has no uid
            no-operation.json            | the AdmissionReview request has no operation
            unknown-operation.json       | the AdmissionReview request has an unknown operation
            no-kind.json                 | the AdmissionReview request has no kind
            create-without-object.json   | the CREATE request for a Pod has no request.object
            object-not-object.json       | request.object is not a JSON object
            containers-string.json       | request.object does not parse as a Pod: spec.containers must be a list
            run-as-user-string.json      | request.object does not parse as a Pod: spec.securityContext.runAsUser must be an integer
            template-list.json           | request.object does not parse as a Deployment: spec.template must be an object
            kind-mismatch.json           | request.object is a Deployment but request.kind says Pod
            volume-mount-null.json       | request.object does not parse as a Pod: spec.containers[0].volumeMounts[0] is null
            node-selector-term-null.json | request.object does not parse as a Pod: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1] is null
            """;

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    @TestHTTPResource("/validate")
    URL validate;

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = BAD_REQUESTS)
    void isABadRequest(String fixture, String explanation) {
        assertBadRequest(postRaw(Reviews.bytes("bad/" + fixture)), explanation);
    }

    @Order(1)
    @Test
    void anObjectThatDoesNotParseNeverEchoesTheValue() {
        String answer = postRaw(Reviews.bytes("bad/run-as-user-string.json")).asString();
        assertThat(answer).doesNotContain("abc");
    }

    @Order(1)
    @Test
    void everyBadFixtureIsChecked() {
        assertThat(Reviews.folder("bad")).containsExactlyInAnyOrderElementsOf(
                BAD_REQUESTS.lines().map(line -> line.substring(0, line.indexOf('|')).strip()).toList());
    }

    @Order(1)
    @Test
    void anEmptyBodyIsABadRequest() {
        assertBadRequest(postRaw(new byte[0]), "the request body is empty");
    }

    @Order(1)
    @Test
    void aBlankBodyIsABadRequest() {
        assertBadRequest(postRaw(" \n\t ".getBytes(StandardCharsets.UTF_8)), "not an object");
    }

    @Order(1)
    @Test
    void deeplyNestedJsonIsABadRequest() {
        String body = "[".repeat(100_000) + "]".repeat(100_000);
        assertBadRequest(postRaw(body.getBytes(StandardCharsets.UTF_8)), "the request body is not valid JSON");
    }

    /** The kube-apiserver sends at most 3 MiB; a valid review just under that is evaluated like any other. */
    @Order(1)
    @Test
    void aReviewJustUnder3MibIsEvaluated() {
        ObjectNode request = padded(3 * MIB - 4096);
        assertThat(assertDenied(request, post(request))).hasSize(2);
    }

    /** Over 3 MiB is a 400 that says so, without echoing any of the body. */
    @Order(1)
    @Test
    void aBodyOver3MibIsABadRequest() {
        byte[] body = bytes(padded(3 * MIB + MIB / 2));
        Response r = postRaw(body);
        assertBadRequest(r, "the request body is " + body.length + " bytes; an AdmissionReview may be at most "
                + 3 * MIB + " bytes (3 MiB)");
        assertThat(r.asString()).hasSizeLessThan(200);
    }

    /**
     * Past the HTTP layer's own limit ({@code quarkus.http.limits.max-body-size}) the body is refused with 413 from its
     * Content-Length, before it is read; still no 500 and no allow. The client asks {@code Expect: 100-continue}, so
     * it learns this before sending 9 MiB into a connection the server closes.
     */
    @Order(1)
    @Test
    void aBodyOverTheHttpLimitIsRefused() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(validate.toURI()).expectContinue(true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(padded(9 * MIB)))).build();
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(request,
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).doesNotContain(MARKER).doesNotContain("\"allowed\"");
    }

    /**
     * A body sent without a Content-Length (chunked) is read as it comes, into storage that grows with it: answered
     * exactly as the same review with a length.
     */
    @Order(1)
    @Test
    void aChunkedBodyIsAnsweredAsTheSameBodyWithALength() throws Exception {
        ObjectNode review = padded(MIB + 12_345);
        HttpResponse<byte[]> r = chunked(bytes(review));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Reviews.JSON.readTree(r.body())).isEqualTo(post(review));
    }

    /** Without a Content-Length, too large is found as the body grows past 3 MiB: the same 400, nothing echoed. */
    @Order(1)
    @Test
    void aChunkedBodyOver3MibIsABadRequest() throws Exception {
        HttpResponse<byte[]> r = chunked(bytes(padded(3 * MIB + MIB / 2)));
        assertThat(r.statusCode()).isEqualTo(400);
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(text).startsWith("the request body is ").contains("an AdmissionReview may be at most " + 3 * MIB
                + " bytes (3 MiB)").doesNotContain(MARKER);
    }

    /** Posts a body of unknown length, which HTTP/1.1 sends chunked. */
    private HttpResponse<byte[]> chunked(byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(validate.toURI()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(request,
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Order(2)
    @Test
    void theProcessStillServesAfterAllThat() {
        ObjectNode request = read("kinds/cronjob-create.json");
        assertThat(assertDenied(request, post(request))).hasSize(2);
        given().when().get(live).then().statusCode(200);
    }

    /** A valid denied review whose size is {@code size} bytes, padded with an annotation that carries the marker. */
    private static ObjectNode padded(int size) {
        ObjectNode request = read("kinds/deployment-create.json");
        ObjectNode annotations = ((ObjectNode) request.at("/request/object/metadata")).putObject("annotations");
        annotations.put("note", "");
        int fill = size - bytes(request).length;
        String pad = (MARKER + " ").repeat(fill / (MARKER.length() + 1) + 1).substring(0, fill);
        annotations.put("note", pad);
        assertThat(bytes(request)).hasSize(size);
        return request;
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return Reviews.JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertBadRequest(Response r, String explanation) {
        String body = r.asString();
        assertThat(r.statusCode()).as("HTTP status; body: %s", body).isEqualTo(400);
        assertThat(r.contentType()).startsWith("text/plain");
        assertThat(body).contains(explanation).endsWith("\n").hasLineCount(1).doesNotContain(MARKER)
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("allowed");
    }
}
