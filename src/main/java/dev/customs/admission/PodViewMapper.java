package dev.customs.admission;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.rules.ContainerView;
import dev.customs.rules.PodView;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * Maps an admission request onto the one {@link PodView} the rules read, or decides that the request needs no
 * evaluation: DELETE and CONNECT, kinds and subresources Customs does not check, and updates that cannot change any
 * rule's verdict.
 */
public final class PodViewMapper {

    /**
     * Pod-spec fields that no rule reads and that are changed on existing objects, so an update that changes only these
     * (or anything outside the pod spec: metadata, replicas, status) is allowed without evaluation.
     */
    static final Set<String> VERDICT_NEUTRAL_SPEC_FIELDS = Set.of("activeDeadlineSeconds", "tolerations");

    public static final String EPHEMERAL_SUBRESOURCE = "ephemeralcontainers";

    private final ObjectMapper mapper;

    public PodViewMapper(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The pod view to evaluate, or empty when the request is allowed without evaluation. */
    public Optional<PodView> map(AdmissionRequest req) throws BadAdmissionRequest {
        if (!req.operation().equals("CREATE") && !req.operation().equals("UPDATE")) {
            return Optional.empty();
        }
        Optional<WorkloadKind> kind = WorkloadKind.of(req.group(), req.kind());
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        boolean ephemeral = kind.get() == WorkloadKind.POD && EPHEMERAL_SUBRESOURCE.equals(req.subResource());
        if (!req.subResource().isEmpty() && !ephemeral) {
            return Optional.empty();
        }
        if (ephemeral && !req.operation().equals("UPDATE")) {
            return Optional.empty();
        }
        if (req.object() == null) {
            throw new BadAdmissionRequest("the " + req.operation() + " request for a " + req.kind()
                    + " has no request.object");
        }
        PodView view = toView(kind.get(), req.object(), req.namespace(), req.name());
        if (!req.operation().equals("UPDATE") || req.oldObject() == null) {
            return Optional.of(view);
        }
        JsonNode newSpec = specNode(kind.get(), req.object());
        JsonNode oldSpec = specNode(kind.get(), req.oldObject());
        if (ephemeral) {
            Map<String, JsonNode> before = byName(oldSpec == null ? null : oldSpec.get("ephemeralContainers"));
            Map<String, JsonNode> after = byName(newSpec == null ? null : newSpec.get("ephemeralContainers"));
            PodView added = view.onlyContainers(c -> c.kind() == ContainerView.Kind.EPHEMERAL
                    && !after.getOrDefault(c.name(), mapper.nullNode()).equals(before.get(c.name())));
            return added.containers().isEmpty() ? Optional.empty() : Optional.of(added);
        }
        return verdictNeutral(oldSpec).equals(verdictNeutral(newSpec)) ? Optional.empty() : Optional.of(view);
    }

    /**
     * Maps an object to its pod view; for objects read from files, where the kind comes from the object itself.
     */
    public PodView toView(WorkloadKind kind, JsonNode object, String namespace, String name)
            throws BadAdmissionRequest {
        if (!object.isObject()) {
            throw new BadAdmissionRequest("request.object is not a JSON object");
        }
        String declared = AdmissionRequest.text(object, "kind");
        if (!declared.isEmpty() && !declared.equals(kind.kind())) {
            throw new BadAdmissionRequest("request.object is a " + declared + " but request.kind says " + kind.kind());
        }
        JsonNode metadata = object.get("metadata");
        String ns = namespace == null || namespace.isEmpty() ? AdmissionRequest.text(metadata, "namespace") : namespace;
        String n = name == null || name.isEmpty() ? AdmissionRequest.text(metadata, "name") : name;
        if (n.isEmpty()) {
            n = AdmissionRequest.text(metadata, "generateName");
        }
        JsonNode specNode = specNode(kind, object);
        String nullElement = specNode == null ? null : firstNullElement(specNode, kind.specPath());
        if (nullElement != null) {
            throw new BadAdmissionRequest("request.object does not parse as a " + kind.kind() + ": " + nullElement
                    + " is null");
        }
        PodSpec spec;
        try {
            spec = specNode == null || specNode.isNull() ? new PodSpec() : mapper.treeToValue(specNode, PodSpec.class);
        } catch (JsonMappingException e) {
            throw new BadAdmissionRequest("request.object does not parse as a " + kind.kind() + ": "
                    + describe(kind.specPath(), e));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new BadAdmissionRequest("request.object does not parse as a " + kind.kind() + " at "
                    + kind.specPath());
        }
        return PodView.of(kind.kind(), ns, n, kind.specPath(), spec);
    }

    /** The pod spec node of an object, or null when a level on the way is missing; a non-object level is an error. */
    private static JsonNode specNode(WorkloadKind kind, JsonNode object) throws BadAdmissionRequest {
        JsonNode n = object;
        StringBuilder path = new StringBuilder();
        for (String segment : kind.specSegments()) {
            path.append(path.length() == 0 ? "" : ".").append(segment);
            n = n.get(segment);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isObject()) {
                throw new BadAdmissionRequest("request.object does not parse as a " + kind.kind() + ": " + path
                        + " must be an object");
            }
        }
        return n;
    }

    /**
     * The path of the first null list element under {@code node}, or null when there is none. The apiserver never sends
     * one (it serialises typed lists), and the pod model cannot hold one: rules and platform selection would fail on it
     * with a 500 instead of saying the object is malformed.
     */
    private static String firstNullElement(JsonNode node, String path) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String element = path + "[" + i + "]";
                String inner = node.get(i).isNull() ? element : firstNullElement(node.get(i), element);
                if (inner != null) {
                    return inner;
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                String inner = firstNullElement(field.getValue(), path + "." + field.getKey());
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    /** Where and why Jackson failed, without the offending value (it may be a secret). */
    private static String describe(String specPath, JsonMappingException e) {
        StringBuilder path = new StringBuilder(specPath);
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        String expected = e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mie
                && mie.getTargetType() != null ? " must be " + typeName(mie.getTargetType()) : " has an invalid value";
        return path + expected;
    }

    private static String typeName(Class<?> type) {
        if (type == Long.class || type == Integer.class || type == long.class || type == int.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a map";
        }
        return "an object (" + type.getSimpleName() + ")";
    }

    private JsonNode verdictNeutral(JsonNode spec) {
        if (spec == null) {
            return mapper.nullNode();
        }
        ObjectNode copy = ((ObjectNode) spec).deepCopy();
        copy.remove(VERDICT_NEUTRAL_SPEC_FIELDS);
        return copy;
    }

    private static Map<String, JsonNode> byName(JsonNode list) {
        Map<String, JsonNode> m = new HashMap<>();
        if (list != null && list.isArray()) {
            for (JsonNode c : list) {
                m.put(AdmissionRequest.text(c, "name"), c);
            }
        }
        return m;
    }
}
