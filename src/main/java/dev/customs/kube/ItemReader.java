package dev.customs.kube;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.PodSpecFields;
import dev.customs.admission.WorkloadKind;

/**
 * Reads one object of a list (or a GET) into a tree, leaving out what the audit never reads and what makes up most of
 * an object's bytes: {@code metadata.managedFields}, the {@code kubectl.kubernetes.io/last-applied-configuration}
 * annotation (a second copy of the object) and {@code status}. With {@link Mode#OWNERSHIP} only the name, namespace,
 * uid and owner references are kept: that is all the audit decides from before it reads an object in full. A workload
 * read for evaluation ({@link #read(JsonParser, WorkloadKind)}) keeps of its spec only the way to the pod spec and,
 * there, the fields Customs reads ({@link PodSpecFields}). Skipped parts are passed over by the tokenizer, never built
 * as nodes, so a page of 500 pods makes 500 small trees instead of 500 copies of their managed fields.
 */
final class ItemReader {

    /** How much of an object to keep. */
    enum Mode {
        /** Everything but managed fields, the last-applied annotation and status. */
        FULL,
        /** Only the metadata the audit decides ownership from. */
        OWNERSHIP
    }

    /** How deep objects and arrays may nest; Kubernetes objects need a few dozen levels. */
    static final int MAX_DEPTH = 500;
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final Set<String> OWNERSHIP_FIELDS = Set.of("name", "namespace", "uid", "ownerReferences");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ItemReader() {
    }

    /**
     * Reads a workload of {@code kind} to evaluate it: its apiVersion, kind and metadata as {@link Mode#FULL} keeps
     * them, and of its spec only the way to its pod spec ({@link WorkloadKind#specSegments()}) and the pod spec's
     * fields in {@link PodSpecFields}. A level of that way that is not an object is kept whole, so what reads the tree
     * refuses it as it would the whole object.
     */
    static ObjectNode read(JsonParser p, WorkloadKind kind) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "expected an object, found " + p.currentToken());
        }
        List<String> path = kind.specSegments();
        ObjectNode item = NODES.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (name.equals("metadata") && t == JsonToken.START_OBJECT) {
                item.set(name, metadata(p, Mode.FULL));
            } else if (name.equals("apiVersion") || name.equals("kind")) {
                item.set(name, value(p, t, 1));
            } else if (name.equals(path.get(0))) {
                item.set(name, t == JsonToken.START_OBJECT ? along(p, path, 1) : value(p, t, 1));
            } else {
                p.skipChildren();
            }
        }
        return item;
    }

    /** The object at {@code path[0..i)}: the next level of the way, or the pod spec when the way ends here. */
    private static ObjectNode along(JsonParser p, List<String> path, int i) throws IOException {
        if (i == path.size()) {
            return podSpec(p, i);
        }
        ObjectNode o = NODES.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (name.equals(path.get(i))) {
                o.set(name, t == JsonToken.START_OBJECT ? along(p, path, i + 1) : value(p, t, i + 1));
            } else {
                p.skipChildren();
            }
        }
        return o;
    }

    private static ObjectNode podSpec(JsonParser p, int depth) throws IOException {
        ObjectNode spec = NODES.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (!PodSpecFields.POD.contains(name)) {
                p.skipChildren();
            } else if (PodSpecFields.CONTAINER_LISTS.contains(name)) {
                spec.set(name, elements(p, t, PodSpecFields.CONTAINER, depth + 1));
            } else if (name.equals("volumes")) {
                spec.set(name, elements(p, t, PodSpecFields.VOLUME, depth + 1));
            } else if (name.equals("affinity") && t == JsonToken.START_OBJECT) {
                spec.set(name, only(p, PodSpecFields.AFFINITY, depth + 1));
            } else {
                spec.set(name, value(p, t, depth + 1));
            }
        }
        return spec;
    }

    /** A list whose object elements keep only {@code fields}; anything else is kept whole. */
    private static JsonNode elements(JsonParser p, JsonToken t, Set<String> fields, int depth) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            return value(p, t, depth);
        }
        ArrayNode a = NODES.arrayNode();
        for (JsonToken x = p.nextToken(); x != JsonToken.END_ARRAY; x = p.nextToken()) {
            if (x == null) {
                throw new JsonParseException(p, "unexpected end of input in an array");
            }
            a.add(x == JsonToken.START_OBJECT ? only(p, fields, depth + 1) : value(p, x, depth + 1));
        }
        return a;
    }

    /** The object at the parser's {@code START_OBJECT} with only {@code fields}, each whole. */
    private static ObjectNode only(JsonParser p, Set<String> fields, int depth) throws IOException {
        ObjectNode o = NODES.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (fields.contains(name)) {
                o.set(name, value(p, t, depth + 1));
            } else {
                p.skipChildren();
            }
        }
        return o;
    }

    /** Reads the object at the parser's current {@code START_OBJECT}; the parser ends on its {@code END_OBJECT}. */
    static ObjectNode read(JsonParser p, Mode mode) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "expected an object, found " + p.currentToken());
        }
        ObjectNode item = NODES.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (name.equals("metadata") && t == JsonToken.START_OBJECT) {
                item.set(name, metadata(p, mode));
            } else if (mode == Mode.OWNERSHIP || name.equals("status")) {
                p.skipChildren();
            } else {
                item.set(name, value(p, t, 1));
            }
        }
        return item;
    }

    private static ObjectNode metadata(JsonParser p, Mode mode) throws IOException {
        ObjectNode meta = NODES.objectNode();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (name.equals("managedFields") || mode == Mode.OWNERSHIP && !OWNERSHIP_FIELDS.contains(name)) {
                p.skipChildren();
            } else if (name.equals("annotations") && t == JsonToken.START_OBJECT) {
                ObjectNode annotations = meta.putObject(name);
                for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
                    JsonToken v = p.nextToken();
                    if (key.equals(LAST_APPLIED)) {
                        p.skipChildren();
                    } else {
                        annotations.set(key, value(p, v, 3));
                    }
                }
            } else {
                meta.set(name, value(p, t, 2));
            }
        }
        return meta;
    }

    private static JsonNode value(JsonParser p, JsonToken t, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new JsonParseException(p, "nesting deeper than " + MAX_DEPTH + " levels");
        }
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    o.set(name, value(p, p.nextToken(), depth + 1));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken x = p.nextToken(); x != JsonToken.END_ARRAY; x = p.nextToken()) {
                    if (x == null) {
                        throw new JsonParseException(p, "unexpected end of input in an array");
                    }
                    a.add(value(p, x, depth + 1));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonParseException(p, "unexpected token " + t);
        }
    }
}
