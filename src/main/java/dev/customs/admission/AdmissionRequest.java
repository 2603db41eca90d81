package dev.customs.admission;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The parts of an AdmissionReview request Customs reads, parsed leniently but validated: an AdmissionReview of
 * {@code admission.k8s.io/v1} or {@code v1beta1} with a {@code request} that has a {@code uid}.
 *
 * @param apiVersion the review's apiVersion, echoed in the response
 * @param uid the request uid, echoed in the response
 * @param group the object's API group ({@code ""} for core)
 * @param version the object's API version
 * @param kind the object's kind, from {@code request.kind}
 * @param resource the resource, from {@code request.resource}
 * @param subResource the subresource, or {@code ""}
 * @param operation CREATE, UPDATE, DELETE or CONNECT
 * @param namespace the request namespace, or {@code ""}
 * @param name the request name, or {@code ""}
 * @param object the object, or null
 * @param oldObject the object before an UPDATE, or null
 * @param dryRun whether the request is a dry run
 * @param username the requesting user, or {@code ""}
 * @param groups the requesting user's groups
 */
public record AdmissionRequest(String apiVersion, String uid, String group, String version, String kind, String resource,
        String subResource, String operation, String namespace, String name, JsonNode object, JsonNode oldObject,
        boolean dryRun, String username, List<String> groups) {

    public static final String V1 = "admission.k8s.io/v1";
    public static final String V1BETA1 = "admission.k8s.io/v1beta1";
    private static final Set<String> OPERATIONS = Set.of("CREATE", "UPDATE", "DELETE", "CONNECT");

    /** The largest body accepted; the apiserver's own request limit is 3 MiB. */
    public static final int MAX_BODY = 3 * 1024 * 1024;

    public static AdmissionRequest parse(ObjectMapper mapper, byte[] body) throws BadAdmissionRequest {
        return parse(new ReviewReader(mapper.getFactory(), mapper.getNodeFactory()), body);
    }

    /** Parses a review; {@code managedFields} and the last-applied annotation of its objects are not kept. */
    static AdmissionRequest parse(ReviewReader reader, byte[] body) throws BadAdmissionRequest {
        return parse(reader, body, ReviewReader.Meter.NONE);
    }

    /**
     * Parses a review, its tree paid for through {@code meter} as it is built; what the meter throws when it refuses
     * reaches the caller.
     */
    static AdmissionRequest parse(ReviewReader reader, byte[] body, ReviewReader.Meter meter)
            throws BadAdmissionRequest {
        if (body == null || body.length == 0) {
            throw new BadAdmissionRequest("the request body is empty; expected an AdmissionReview JSON object");
        }
        if (body.length > MAX_BODY) {
            throw new BadAdmissionRequest(tooLarge(body.length));
        }
        JsonNode root;
        try {
            root = reader.read(body, meter);
        } catch (JsonProcessingException e) {
            // the parser's own message quotes the offending input, which may be anything: say only where it broke
            throw new BadAdmissionRequest("the request body is not valid JSON (error at line "
                    + (e.getLocation() == null ? "?"
                            : e.getLocation().getLineNr() + ", column "
                                    + e.getLocation().getColumnNr())
                    + "); expected an AdmissionReview JSON object");
        } catch (IOException e) {
            throw new BadAdmissionRequest("the request body could not be read as JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadAdmissionRequest("the request body is JSON but not an object; expected an AdmissionReview");
        }
        String kind = text(root, "kind");
        String apiVersion = text(root, "apiVersion");
        if (!"AdmissionReview".equals(kind)) {
            throw new BadAdmissionRequest("the request body is not an AdmissionReview (kind is "
                    + (kind.isEmpty() ? "missing" : "\"" + kind + "\"") + ")");
        }
        if (!V1.equals(apiVersion) && !V1BETA1.equals(apiVersion)) {
            throw new BadAdmissionRequest("unsupported AdmissionReview apiVersion "
                    + (apiVersion.isEmpty() ? "(missing)" : "\"" + apiVersion + "\"") + "; expected " + V1 + " or "
                    + V1BETA1);
        }
        JsonNode req = root.get("request");
        if (req == null || !req.isObject()) {
            throw new BadAdmissionRequest("the AdmissionReview has no request object");
        }
        String uid = text(req, "uid");
        if (uid.isEmpty()) {
            throw new BadAdmissionRequest("the AdmissionReview request has no uid");
        }
        String operation = text(req, "operation");
        if (!OPERATIONS.contains(operation)) {
            throw new BadAdmissionRequest("the AdmissionReview request has "
                    + (operation.isEmpty() ? "no operation" : "an unknown operation")
                    + "; expected CREATE, UPDATE, DELETE or CONNECT");
        }
        JsonNode k = req.get("kind");
        if (text(k, "kind").isEmpty()) {
            // without it nothing says whether the object holds a pod spec: allowing it unchecked would be a silent allow
            throw new BadAdmissionRequest("the AdmissionReview request has no kind; expected request.kind with the "
                    + "group, version and kind of request.object");
        }
        JsonNode r = req.get("resource");
        List<String> groups = new ArrayList<>();
        JsonNode ui = req.get("userInfo");
        if (ui != null && ui.get("groups") != null && ui.get("groups").isArray()) {
            ui.get("groups").forEach(g -> groups.add(g.asText()));
        }
        return new AdmissionRequest(apiVersion, uid, text(k, "group"), text(k, "version"), text(k, "kind"), text(r, "resource"),
                text(req, "subResource"), operation, text(req, "namespace"), text(req, "name"), object(req, "object"),
                object(req, "oldObject"), req.path("dryRun").asBoolean(false), text(ui, "username"), groups);
    }

    /** Why a body of {@code bytes} is refused. */
    static String tooLarge(long bytes) {
        return "the request body is " + bytes + " bytes; an AdmissionReview may be at most " + MAX_BODY
                + " bytes (3 MiB)";
    }

    /** The object's apiVersion: {@code apps/v1}, or {@code v1} for the core group. */
    public String objectApiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    private static JsonNode object(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }

    static String text(JsonNode parent, String field) {
        if (parent == null) {
            return "";
        }
        JsonNode n = parent.get(field);
        return n == null || !n.isValueNode() || n.isNull() ? "" : n.asText();
    }
}
