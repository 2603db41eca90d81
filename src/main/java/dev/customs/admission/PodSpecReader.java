package dev.customs.admission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.rules.ContainerView;
import dev.customs.rules.ImageReference;
import dev.customs.rules.PodView;

/**
 * Reads the fields the rules and image resolution use straight from a pod spec's JSON tree, never binding the rest:
 * an object's other fields (resources, probes, ports, ...) cost nothing and are not checked.
 *
 * <p>
 * The fields it reads are checked as the Kubernetes model types them, with the same lenience as Jackson's defaults
 * (a number or boolean where a string belongs is its text; {@code "1000"} for an integer is 1000; {@code 0}/{@code 1}
 * and {@code "true"}/{@code "false"} for a boolean), so a malformed one is a {@link BadAdmissionRequest} naming its
 * field path and what it must be, never its value. A null element in a list it reads is refused too: no rule could
 * judge it. Field paths are built only for such an error.
 */
final class PodSpecReader {

    private final String kind;

    /** @param kind the object's kind, for messages */
    PodSpecReader(String kind) {
        this.kind = kind;
    }

    /** Where a value is, as a field path built only for an error message. */
    private record Loc(Loc parent, String field, int index) {

        Loc at(String f) {
            return new Loc(this, f, -1);
        }

        Loc at(int i) {
            return new Loc(this, null, i);
        }

        @Override
        public String toString() {
            if (parent == null) {
                return field;
            }
            return parent + (field != null ? "." + field : "[" + index + "]");
        }
    }

    /** Reads a pod spec (null: an empty one) into a view of all its containers, pod-level rules in scope. */
    PodView read(String namespace, String name, String specPath, JsonNode spec) throws BadAdmissionRequest {
        if (spec == null || spec.isNull()) {
            return new PodView(kind, namespace, name, specPath, PodView.Spec.EMPTY, List.of(), true);
        }
        Loc root = new Loc(null, specPath, -1);
        List<ContainerView> containers = new ArrayList<>();
        containers(spec, "initContainers", ContainerView.Kind.INIT, root, specPath, containers);
        containers(spec, "containers", ContainerView.Kind.REGULAR, root, specPath, containers);
        containers(spec, "ephemeralContainers", ContainerView.Kind.EPHEMERAL, root, specPath, containers);
        return new PodView(kind, namespace, name, specPath, spec(spec, root), containers, true);
    }

    private PodView.Spec spec(JsonNode spec, Loc root) throws BadAdmissionRequest {
        JsonNode os = object(spec, "os", "PodOS", root);
        JsonNode nodeAffinity = null;
        JsonNode affinity = object(spec, "affinity", "Affinity", root);
        Loc affinityLoc = null;
        if (affinity != null) {
            affinityLoc = root.at("affinity");
            nodeAffinity = object(affinity, "nodeAffinity", "NodeAffinity", affinityLoc);
        }
        List<PodView.NodeSelectorTerm> terms = null;
        if (nodeAffinity != null) {
            Loc naLoc = affinityLoc.at("nodeAffinity");
            JsonNode required = object(nodeAffinity, "requiredDuringSchedulingIgnoredDuringExecution", "NodeSelector",
                    naLoc);
            if (required != null) {
                terms = terms(required, naLoc.at("requiredDuringSchedulingIgnoredDuringExecution"));
            }
        }
        return new PodView.Spec(bool(spec, "hostNetwork", root), bool(spec, "hostUsers", root),
                os == null ? null : string(os, "name", root.at("os")),
                security(spec, "PodSecurityContext", root), volumes(spec, root), pullSecrets(spec, root),
                string(spec, "serviceAccountName", root), stringMap(spec, "nodeSelector", root), terms);
    }

    private List<PodView.NodeSelectorTerm> terms(JsonNode required, Loc loc) throws BadAdmissionRequest {
        JsonNode list = list(required, "nodeSelectorTerms", loc);
        if (list == null) {
            return null;
        }
        List<PodView.NodeSelectorTerm> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode term = element(list, i, "NodeSelectorTerm", loc.at("nodeSelectorTerms"));
            Loc termLoc = loc.at("nodeSelectorTerms").at(i);
            JsonNode exprs = list(term, "matchExpressions", termLoc);
            List<PodView.NodeSelectorRequirement> reqs = new ArrayList<>();
            if (exprs != null) {
                Loc exprsLoc = termLoc.at("matchExpressions");
                for (int j = 0; j < exprs.size(); j++) {
                    JsonNode e = element(exprs, j, "NodeSelectorRequirement", exprsLoc);
                    Loc eLoc = exprsLoc.at(j);
                    reqs.add(new PodView.NodeSelectorRequirement(string(e, "key", eLoc), string(e, "operator", eLoc),
                            strings(e, "values", eLoc)));
                }
            }
            out.add(new PodView.NodeSelectorTerm(reqs));
        }
        return out;
    }

    private List<PodView.Volume> volumes(JsonNode spec, Loc root) throws BadAdmissionRequest {
        JsonNode list = list(spec, "volumes", root);
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        Loc loc = root.at("volumes");
        List<PodView.Volume> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode v = element(list, i, "Volume", loc);
            Loc vLoc = loc.at(i);
            JsonNode hostPath = object(v, "hostPath", "HostPathVolumeSource", vLoc);
            String path = hostPath == null ? null : string(hostPath, "path", vLoc.at("hostPath"));
            out.add(new PodView.Volume(string(v, "name", vLoc), path));
        }
        return out;
    }

    private List<String> pullSecrets(JsonNode spec, Loc root) throws BadAdmissionRequest {
        JsonNode list = list(spec, "imagePullSecrets", root);
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        Loc loc = root.at("imagePullSecrets");
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String name = string(element(list, i, "LocalObjectReference", loc), "name", loc.at(i));
            if (name != null) {
                out.add(name);
            }
        }
        return out;
    }

    private void containers(JsonNode spec, String field, ContainerView.Kind k, Loc root, String specPath,
            List<ContainerView> out) throws BadAdmissionRequest {
        JsonNode list = list(spec, field, root);
        if (list == null) {
            return;
        }
        String type = k == ContainerView.Kind.EPHEMERAL ? "EphemeralContainer" : "Container";
        for (int i = 0; i < list.size(); i++) {
            JsonNode c = element(list, i, type, root.at(field));
            Loc loc = root.at(field).at(i);
            String image = string(c, "image", loc);
            out.add(new ContainerView(k, i, string(c, "name", loc), image, ImageReference.parse(image),
                    strings(c, "command", loc), strings(c, "args", loc), security(c, "SecurityContext", loc),
                    mounts(c, loc), env(c, loc), specPath));
        }
    }

    private List<ContainerView.Mount> mounts(JsonNode c, Loc loc) throws BadAdmissionRequest {
        JsonNode list = list(c, "volumeMounts", loc);
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        List<ContainerView.Mount> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = element(list, i, "VolumeMount", loc.at("volumeMounts"));
            Loc mLoc = loc.at("volumeMounts").at(i);
            out.add(new ContainerView.Mount(string(m, "name", mLoc), string(m, "mountPath", mLoc)));
        }
        return out;
    }

    private List<ContainerView.EnvVar> env(JsonNode c, Loc loc) throws BadAdmissionRequest {
        JsonNode list = list(c, "env", loc);
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        List<ContainerView.EnvVar> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = element(list, i, "EnvVar", loc.at("env"));
            Loc eLoc = loc.at("env").at(i);
            JsonNode from = object(e, "valueFrom", "EnvVarSource", eLoc);
            out.add(new ContainerView.EnvVar(string(e, "name", eLoc), string(e, "value", eLoc), from != null));
        }
        return out;
    }

    private PodView.Security security(JsonNode parent, String type, Loc loc) throws BadAdmissionRequest {
        JsonNode sc = object(parent, "securityContext", type, loc);
        if (sc == null) {
            return PodView.Security.NONE;
        }
        Loc scLoc = loc.at("securityContext");
        Long uid = integer(sc, "runAsUser", scLoc);
        Boolean nonRoot = bool(sc, "runAsNonRoot", scLoc);
        return uid == null && nonRoot == null ? PodView.Security.NONE : new PodView.Security(uid, nonRoot);
    }

    // ---- typed reads, with Jackson's default lenience ----

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    private BadAdmissionRequest bad(Loc loc, String field, String what) {
        return new BadAdmissionRequest("request.object does not parse as a " + kind + ": " + loc.at(field) + " "
                + what);
    }

    private JsonNode object(JsonNode parent, String field, String type, Loc loc) throws BadAdmissionRequest {
        JsonNode n = parent.get(field);
        if (absent(n)) {
            return null;
        }
        if (!n.isObject()) {
            throw bad(loc, field, "must be an object (" + type + ")");
        }
        return n;
    }

    private JsonNode list(JsonNode parent, String field, Loc loc) throws BadAdmissionRequest {
        JsonNode n = parent.get(field);
        if (absent(n)) {
            return null;
        }
        if (!n.isArray()) {
            throw bad(loc, field, "must be a list");
        }
        return n;
    }

    /** An object element of a list; a null one is refused. */
    private JsonNode element(JsonNode list, int i, String type, Loc listLoc) throws BadAdmissionRequest {
        JsonNode e = list.get(i);
        if (e.isNull()) {
            throw new BadAdmissionRequest("request.object does not parse as a " + kind + ": " + listLoc.at(i)
                    + " is null");
        }
        if (!e.isObject()) {
            throw new BadAdmissionRequest("request.object does not parse as a " + kind + ": " + listLoc.at(i)
                    + " must be an object (" + type + ")");
        }
        return e;
    }

    private String string(JsonNode parent, String field, Loc loc) throws BadAdmissionRequest {
        JsonNode n = parent.get(field);
        if (absent(n)) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isValueNode()) {
            return n.asText(); // Jackson coerces numbers and booleans to their text
        }
        throw bad(loc, field, "must be a string");
    }

    private List<String> strings(JsonNode parent, String field, Loc loc) throws BadAdmissionRequest {
        JsonNode n = list(parent, field, loc);
        if (n == null || n.isEmpty()) {
            return List.of();
        }
        String[] out = new String[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = n.get(i);
            if (e.isTextual()) {
                out[i] = e.textValue();
            } else if (e.isNull()) {
                throw new BadAdmissionRequest("request.object does not parse as a " + kind + ": "
                        + loc.at(field).at(i) + " is null");
            } else if (e.isValueNode()) {
                out[i] = e.asText();
            } else {
                throw new BadAdmissionRequest("request.object does not parse as a " + kind + ": "
                        + loc.at(field).at(i) + " must be a string");
            }
        }
        return List.of(out);
    }

    private Map<String, String> stringMap(JsonNode parent, String field, Loc loc) throws BadAdmissionRequest {
        JsonNode n = parent.get(field);
        if (absent(n)) {
            return null;
        }
        if (!n.isObject()) {
            throw bad(loc, field, "must be a map");
        }
        if (n.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!v.isValueNode()) {
                throw bad(loc.at(field), e.getKey(), "must be a string");
            }
            out.put(e.getKey(), v.asText());
        }
        return out;
    }

    private Long integer(JsonNode parent, String field, Loc loc) throws BadAdmissionRequest {
        JsonNode n = parent.get(field);
        if (absent(n)) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isFloatingPointNumber() && n.canConvertToLong()) {
            return n.longValue(); // Jackson accepts a float for an integer, truncated
        }
        if (n.isTextual()) {
            String t = n.textValue().strip();
            if (t.isEmpty()) {
                return null;
            }
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw bad(loc, field, "must be an integer");
    }

    private Boolean bool(JsonNode parent, String field, Loc loc) throws BadAdmissionRequest {
        JsonNode n = parent.get(field);
        if (absent(n)) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.longValue() != 0 || n.isBigInteger() && n.bigIntegerValue().signum() != 0;
        }
        if (n.isTextual()) {
            String t = n.textValue().strip();
            switch (t) {
                case "true", "True", "TRUE":
                    return true;
                case "false", "False", "FALSE":
                    return false;
                case "":
                    return null;
                default:
                    break;
            }
        }
        throw bad(loc, field, "must be a boolean");
    }
}
