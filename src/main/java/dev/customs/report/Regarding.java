package dev.customs.report;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ObjectReference;

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
            return reference(text(owner, "apiVersion"), text(owner, "kind"), text(owner, "name"), namespace,
                    emptyToNull(text(owner, "uid")));
        }
        if (name.isEmpty()) {
            // The namespace, and with the namespace set: the API server accepts an Event only in the namespace of the
            // object it regards, and this one is where people of that namespace look.
            return reference("v1", "Namespace", namespace, namespace, null);
        }
        return reference(apiVersion, kind, name, namespace, emptyToNull(text(meta, "uid")));
    }

    /**
     * A reference with no field path or resource version: made on every denial, so with the constructor, not a
     * builder (a builder and its nested-object machinery cost more than the reference).
     */
    private static ObjectReference reference(String apiVersion, String kind, String name, String namespace,
            String uid) {
        return new ObjectReference(apiVersion, null, kind, name, namespace, null, uid);
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
