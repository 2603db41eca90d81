package dev.customs.report;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

/**
 * Which object an Event is about, so it shows where people look: the workload or pod itself; for a pod made by a
 * controller, its owner (so {@code kubectl describe replicaset} shows why pods are not appearing); for an object without
 * a name (an API server names objects made with {@code generateName} before validating admission, so only a review
 * posted by other means has none), its owner or, failing that, its namespace. The reference always carries the
 * namespace the Event is posted in, as the API server requires.
 */
public final class Regarding {

    private Regarding() {
    }

    /**
     * @param object the admitted object (metadata is read from it)
     * @param apiVersion the object's apiVersion (group/version)
     * @param kind the object's kind
     * @param namespace the request namespace
     */
    public static ObjectReference of(JsonNode object, String apiVersion, String kind, String namespace) {
        JsonNode meta = object == null ? null : object.get("metadata");
        String name = text(meta, "name");
        JsonNode owner = owner(meta);
        if (kind.equals("Pod") && owner != null && isController(owner) || name.isEmpty() && owner != null) {
            return new ObjectReferenceBuilder().withApiVersion(text(owner, "apiVersion"))
                    .withKind(text(owner, "kind")).withName(text(owner, "name")).withNamespace(namespace)
                    .withUid(emptyToNull(text(owner, "uid"))).build();
        }
        if (name.isEmpty()) {
            // The namespace, and with the namespace set: the API server accepts an Event only in the namespace of the
            // object it regards, and this one is where people of that namespace look.
            return new ObjectReferenceBuilder().withApiVersion("v1").withKind("Namespace").withName(namespace)
                    .withNamespace(namespace).build();
        }
        return new ObjectReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name)
                .withNamespace(namespace).withUid(emptyToNull(text(meta, "uid"))).build();
    }

    /** The controller owner, else the first owner, else null. */
    private static JsonNode owner(JsonNode meta) {
        JsonNode refs = meta == null ? null : meta.get("ownerReferences");
        if (refs == null || !refs.isArray() || refs.isEmpty()) {
            return null;
        }
        for (JsonNode r : refs) {
            if (isController(r)) {
                return r;
            }
        }
        return refs.get(0);
    }

    private static boolean isController(JsonNode ref) {
        return ref.path("controller").asBoolean(false);
    }

    private static String text(JsonNode n, String field) {
        if (n == null) {
            return "";
        }
        JsonNode v = n.get(field);
        return v == null || !v.isValueNode() || v.isNull() ? "" : v.asText();
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
