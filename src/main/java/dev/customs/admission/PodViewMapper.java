package dev.customs.admission;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.rules.ContainerView;
import dev.customs.rules.PodView;

/**
 * Maps an admission request onto the one {@link PodView} the rules read, or decides that the request needs no
 * evaluation: DELETE and CONNECT, kinds and subresources Customs does not check, and updates that cannot change any
 * rule's verdict. The pod spec is read from the JSON tree field by field ({@link PodSpecReader}), never bound whole.
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
        return sameVerdict(oldSpec, newSpec) ? Optional.empty() : Optional.of(view);
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
        return new PodSpecReader(kind.kind()).read(ns, n, kind.specPath(), specNode(kind, object));
    }

    /** The pod spec node of an object, or null when a level on the way is missing; a non-object level is an error. */
    private static JsonNode specNode(WorkloadKind kind, JsonNode object) throws BadAdmissionRequest {
        JsonNode n = object;
        List<String> segments = kind.specSegments();
        for (int i = 0; i < segments.size(); i++) {
            n = n.get(segments.get(i));
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isObject()) {
                throw new BadAdmissionRequest("request.object does not parse as a " + kind.kind() + ": "
                        + String.join(".", segments.subList(0, i + 1)) + " must be an object");
            }
        }
        return n;
    }

    /** True when two pod specs are equal but for {@link #VERDICT_NEUTRAL_SPEC_FIELDS}; compared in place. */
    static boolean sameVerdict(JsonNode before, JsonNode after) {
        if (before == null || after == null) {
            return before == after;
        }
        int fields = 0;
        for (Map.Entry<String, JsonNode> e : after.properties()) {
            if (VERDICT_NEUTRAL_SPEC_FIELDS.contains(e.getKey())) {
                continue;
            }
            fields++;
            if (!e.getValue().equals(before.get(e.getKey()))) {
                return false;
            }
        }
        for (Iterator<String> names = before.fieldNames(); names.hasNext();) {
            if (!VERDICT_NEUTRAL_SPEC_FIELDS.contains(names.next())) {
                fields--;
            }
        }
        return fields == 0;
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
