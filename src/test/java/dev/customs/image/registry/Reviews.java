package dev.customs.image.registry;

import static io.restassured.RestAssured.given;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** AdmissionReview requests for end-to-end tests through {@code POST /validate}. */
public final class Reviews {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Reviews() {
    }

    /** A pod with one container {@code app} running {@code image}; tests add to its spec. */
    public static ObjectNode pod(String namespace, String image) {
        ObjectNode pod = MAPPER.createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.putObject("metadata").put("name", "app").put("namespace", namespace);
        ObjectNode spec = pod.putObject("spec");
        spec.putArray("containers").addObject().put("name", "app").put("image", image);
        return pod;
    }

    public static ObjectNode spec(ObjectNode pod) {
        return (ObjectNode) pod.get("spec");
    }

    public static ObjectNode container(ObjectNode pod) {
        return (ObjectNode) pod.get("spec").get("containers").get(0);
    }

    public static String review(ObjectNode pod) {
        ObjectNode review = MAPPER.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode req = review.putObject("request");
        req.put("uid", UUID.randomUUID().toString());
        req.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        req.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        req.put("name", pod.path("metadata").path("name").asText());
        req.put("namespace", pod.path("metadata").path("namespace").asText());
        req.put("operation", "CREATE");
        req.putObject("userInfo").put("username", "dev@example.com");
        req.set("object", pod);
        req.put("dryRun", false);
        return review.toString();
    }

    /** POSTs the review and returns its {@code response}. */
    static JsonNode validate(ObjectNode pod) {
        String body = given().contentType("application/json").body(review(pod)).when().post("/validate").then()
                .statusCode(200).extract().asString();
        try {
            return MAPPER.readTree(body).get("response");
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }

    public static String message(JsonNode response) {
        return response.path("status").path("message").asText("");
    }

    public static String warnings(JsonNode response) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode w : response.path("warnings")) {
            sb.append(w.asText()).append('\n');
        }
        return sb.toString();
    }

    static void imagePullSecret(ObjectNode pod, String name) {
        ArrayNode a = spec(pod).has("imagePullSecrets") ? (ArrayNode) spec(pod).get("imagePullSecrets")
                : spec(pod).putArray("imagePullSecrets");
        a.addObject().put("name", name);
    }
}
