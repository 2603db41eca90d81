package dev.customs.admission;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.policy.Decision;

/**
 * The only place AdmissionReview responses are built. Every response echoes the request's apiVersion and uid; a denial
 * is 403 Forbidden with one message line and one cause per finding.
 */
public final class AdmissionResponses {

    private final ObjectMapper mapper;

    public AdmissionResponses(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Allowed without evaluation. */
    public ObjectNode allow(AdmissionRequest req) {
        return review(req, true);
    }

    /** The answer for a policy decision: allowed (possibly with warnings and audit annotations) or denied. */
    public ObjectNode decide(AdmissionRequest req, Decision d) {
        ObjectNode review = review(req, d.allowed());
        ObjectNode response = (ObjectNode) review.get("response");
        if (!d.allowed()) {
            ObjectNode status = response.putObject("status");
            status.putObject("metadata");
            status.put("status", "Failure");
            status.put("code", 403);
            status.put("reason", "Forbidden");
            List<Decision.Listed> listed = d.deniedListed();
            status.put("message", Decision.lines(listed));
            ObjectNode details = status.putObject("details");
            if (!req.name().isEmpty()) {
                details.put("name", req.name());
            }
            details.put("kind", req.resource().isEmpty() ? req.kind() : req.resource());
            ArrayNode causes = details.putArray("causes");
            for (Decision.Listed f : listed) {
                cause(causes, f.rule(), f.field(), f.message());
            }
        }
        List<String> warnings = d.warnings();
        if (!warnings.isEmpty()) {
            ArrayNode w = response.putArray("warnings");
            warnings.forEach(w::add);
        }
        Map<String, String> audit = d.auditAnnotations();
        if (!audit.isEmpty()) {
            ObjectNode a = response.putObject("auditAnnotations");
            audit.forEach(a::put);
        }
        return review;
    }

    private static void cause(ArrayNode causes, String reason, String field, String message) {
        ObjectNode c = causes.addObject();
        c.put("reason", reason);
        if (field != null) {
            c.put("field", field);
        }
        c.put("message", message);
    }

    private ObjectNode review(AdmissionRequest req, boolean allowed) {
        ObjectNode review = mapper.createObjectNode();
        review.put("apiVersion", req.apiVersion());
        review.put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response");
        response.put("uid", req.uid());
        response.put("allowed", allowed);
        return review;
    }
}
