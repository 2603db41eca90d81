package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.policy.Action;
import dev.customs.policy.Decision;

/**
 * The answers {@link AdmissionResponses} writes straight to bytes, read back and compared with the tree each must be,
 * built here field by field: the AdmissionReview a denial, a warning or an audit annotation makes, with lines that need
 * escaping (quotes, backslashes, control and non-ASCII characters, a lone surrogate a request may carry).
 */
class AdmissionResponsesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AdmissionResponses responses = new AdmissionResponses(JSON.getFactory());

    private static AdmissionRequest request(String name, String resource) {
        return new AdmissionRequest(AdmissionRequest.V1, "0c7f-uid", "", "v1", "Pod", resource, "", "CREATE", "shop",
                name, null, null, false, "alice", List.of());
    }

    private static Decision.Finding finding(String rule, String field, String message, Action action) {
        return new Decision.Finding(rule, "app", "registry.example/app:1", field, message, action, null);
    }

    private static ObjectNode skeleton(boolean allowed) {
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", AdmissionRequest.V1);
        review.put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response");
        response.put("uid", "0c7f-uid");
        response.put("allowed", allowed);
        return review;
    }

    private JsonNode written(AdmissionRequest req, Decision d) throws Exception {
        byte[] bytes = responses.decide(req, d);
        return JSON.readTree(bytes);
    }

    @Test
    void anAllowedReviewEchoesTheRequestAndNothingMore() throws Exception {
        assertThat(JSON.readTree(responses.allow(request("web", "pods")))).isEqualTo(skeleton(true));
        assertThat(written(request("web", "pods"), Decision.ALLOW)).isEqualTo(skeleton(true));
    }

    @Test
    void aDenialListsEachLineInTheMessageAndAsACause() throws Exception {
        List<String> messages = List.of(
                "[run-as-root] container \"app\" runs as root: set runAsNonRoot: true",
                "[latest-tag] container \"app\" uses \\latest\\ — pin a tag: e.g. \"app:1.2\"",
                "[oci-labels] tab\there, bell \u0007, newline\nand a line separator \u2028 and ✓ and 😀",
                "[leaked-secret] a lone surrogate \ud800 from the request");
        List<Decision.Finding> findings = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            findings.add(finding("rule-" + i, i == 2 ? null : "spec.containers[" + i + "]", messages.get(i),
                    Action.ENFORCE));
        }
        Decision d = new Decision(findings);

        ObjectNode expected = skeleton(false);
        ObjectNode status = ((ObjectNode) expected.get("response")).putObject("status");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("code", 403);
        status.put("reason", "Forbidden");
        status.put("message", String.join("\n", messages));
        ObjectNode details = status.putObject("details");
        details.put("name", "web");
        details.put("kind", "pods");
        ArrayNode causes = details.putArray("causes");
        for (int i = 0; i < messages.size(); i++) {
            ObjectNode c = causes.addObject();
            c.put("reason", "rule-" + i);
            if (i != 2) {
                c.put("field", "spec.containers[" + i + "]");
            }
            c.put("message", messages.get(i));
        }
        assertThat(written(request("web", "pods"), d)).isEqualTo(expected);

        // field for field in the order the old tree had: the text Jackson's writer makes of the expected tree (the
        // lone surrogate's line left out, which a text comparison cannot hold)
        Decision clean = new Decision(findings.subList(0, 3));
        ObjectNode cleanExpected = expected.deepCopy();
        ObjectNode cleanStatus = (ObjectNode) cleanExpected.at("/response/status");
        cleanStatus.put("message", String.join("\n", messages.subList(0, 3)));
        ((ArrayNode) cleanStatus.at("/details/causes")).remove(3);
        assertThat(new String(responses.decide(request("web", "pods"), clean), StandardCharsets.UTF_8))
                .isEqualTo(JSON.writeValueAsString(cleanExpected));
    }

    @Test
    void aDenialLikeTheOneBeforeItIsAnsweredAlikeAndOneThatDiffersIsNot() throws Exception {
        Decision d = new Decision(List.of(
                finding("run-as-root", "spec.containers[0]", "[run-as-root] container \"app\" runs as root: fix",
                        Action.ENFORCE),
                finding("latest-tag", null, "[latest-tag] container \"app\" uses latest: pin", Action.ENFORCE)));
        String first = new String(responses.decide(request("web", "pods"), d), StandardCharsets.UTF_8);
        AdmissionRequest again = new AdmissionRequest(AdmissionRequest.V1, "1d8a-uid", "", "v1", "Pod", "pods", "",
                "CREATE", "shop", "web", null, null, false, "alice", List.of());
        assertThat(new String(responses.decide(again, d), StandardCharsets.UTF_8))
                .isEqualTo(first.replace("0c7f-uid", "1d8a-uid"));

        // whatever differs, the status is the decision's own: as a writer that remembers nothing writes it
        List<Decision.Finding> base = d.findings();
        List<Decision> others = List.of(
                new Decision(List.of(base.get(0), finding("latest-tag", null, "[latest-tag] other: pin",
                        Action.ENFORCE))),
                new Decision(List.of(base.get(0), finding("latest-tag", "spec.containers[1].image",
                        base.get(1).message(), Action.ENFORCE))),
                new Decision(List.of(base.get(0), finding("oci-labels", null, base.get(1).message(), Action.ENFORCE))),
                new Decision(List.of(base.get(0))), d);
        for (AdmissionRequest req : List.of(request("web", "pods"), request("api", "pods"), request("web", ""))) {
            for (Decision other : others) {
                assertThat(new String(responses.decide(req, other), StandardCharsets.UTF_8))
                        .isEqualTo(new String(new AdmissionResponses(JSON.getFactory()).decide(req, other),
                                StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aDenialWithoutANameOrResourceNamesTheKind() throws Exception {
        JsonNode answer = written(request("", ""), new Decision(List.of(finding("host-network", "spec.hostNetwork",
                "[host-network] the pod uses the host's network: remove hostNetwork", Action.ENFORCE))));
        assertThat(answer.at("/response/status/details").has("name")).isFalse();
        assertThat(answer.at("/response/status/details/kind").asText()).isEqualTo("Pod");
        assertThat(answer.at("/response/status/message").asText())
                .isEqualTo("[host-network] the pod uses the host's network: remove hostNetwork");
    }

    @Test
    void warningsAndAuditAnnotationsGoWhereTheApiServerReadsThem() throws Exception {
        Decision d = new Decision(List.of(
                finding("latest-tag", "spec.containers[0].image", "[latest-tag] \"app\" uses latest", Action.WARN),
                finding("oci-labels", "spec.containers[0].image", "[oci-labels] no labels", Action.AUDIT)));
        ObjectNode expected = skeleton(true);
        ObjectNode response = (ObjectNode) expected.get("response");
        response.putArray("warnings").add("[latest-tag] \"app\" uses latest");
        response.putObject("auditAnnotations").put(Decision.AUDIT_ANNOTATION, "[oci-labels] no labels");
        assertThat(written(request("web", "pods"), d)).isEqualTo(expected);
        assertThat(new String(responses.decide(request("web", "pods"), d), StandardCharsets.UTF_8))
                .isEqualTo(JSON.writeValueAsString(expected));
    }

    @Test
    void manyFindingsOfOneRuleAreCountedInOneLine() throws Exception {
        List<Decision.Finding> findings = new ArrayList<>();
        for (int i = 0; i < Decision.MAX_PER_RULE + 3; i++) {
            findings.add(finding("run-as-root", "spec.containers[" + i + "]", "[run-as-root] container " + i,
                    Action.ENFORCE));
        }
        JsonNode answer = written(request("web", "pods"), new Decision(findings));
        JsonNode causes = answer.at("/response/status/details/causes");
        assertThat(causes.size()).isEqualTo(Decision.MAX_PER_RULE + 1);
        assertThat(causes.get(Decision.MAX_PER_RULE).has("field")).isFalse();
        assertThat(causes.get(Decision.MAX_PER_RULE).get("message").asText())
                .isEqualTo("[run-as-root] and 3 more findings of this rule, not listed");
        List<String> lines = new ArrayList<>();
        causes.forEach(c -> lines.add(c.get("message").asText()));
        assertThat(answer.at("/response/status/message").asText()).isEqualTo(String.join("\n", lines));
    }

    @Test
    void anAnswerLongerThanTheGeneratorsBufferIsWrittenWhole() throws Exception {
        List<Decision.Finding> findings = new ArrayList<>();
        for (int rule = 0; rule < 12; rule++) {
            for (int i = 0; i < Decision.MAX_PER_RULE; i++) {
                findings.add(finding("rule-" + rule, "spec.containers[" + i + "]",
                        "[rule-" + rule + "] \"" + "x".repeat(900) + "\" " + i, Action.ENFORCE));
            }
        }
        byte[] bytes = responses.decide(request("web", "pods"), new Decision(findings));
        assertThat(bytes.length).isGreaterThan(200_000);
        JsonNode answer = JSON.readTree(bytes);
        JsonNode causes = answer.at("/response/status/details/causes");
        assertThat(causes.size()).isEqualTo(120);
        List<String> lines = new ArrayList<>();
        findings.forEach(f -> lines.add(f.message()));
        assertThat(answer.at("/response/status/message").asText()).isEqualTo(String.join("\n", lines));
        assertThat(causes.get(119).get("message").asText()).isEqualTo(lines.get(119));
    }
}
