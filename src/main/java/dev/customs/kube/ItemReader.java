package dev.customs.kube;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads one object of a list (or a GET) into a tree, leaving out what the audit never reads and what makes up most of
 * an object's bytes: {@code metadata.managedFields}, the {@code kubectl.kubernetes.io/last-applied-configuration}
 * annotation (a second copy of the object) and {@code status}. With {@link Mode#OWNERSHIP} only the name, namespace,
 * uid and owner references are kept: that is all the audit decides from before it reads an object in full. Skipped
 * parts are passed over by the tokenizer, never built as nodes, so a page of 500 pods makes 500 small trees instead of
 * 500 copies of their managed fields.
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
