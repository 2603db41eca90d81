package dev.customs.admission;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads an AdmissionReview body into a JSON tree in one pass, leaving out what no part of Customs reads and what makes
 * up most of a real review's bytes: the objects' {@code metadata.managedFields} and their
 * {@code kubectl.kubernetes.io/last-applied-configuration} annotation (a second copy of the object). They are skipped
 * by their bytes, never tokenized or built as nodes ({@link RawSkipFactory}).
 *
 * <p>
 * Otherwise the tree is what {@code ObjectMapper.readTree} builds: the same node types, the last of duplicate keys,
 * nothing read past the first value. Nesting is limited to {@value #MAX_DEPTH} levels (Kubernetes objects need a few
 * dozen), so a hostile body cannot exhaust the stack; deeper input is a parse error like any other.
 *
 * <p>
 * The tokens the tree is built from are counted as they are read, and paid for ahead through a {@link Meter}: at most
 * {@value #STEP} tokens at a time, before the nodes they make exist, and once more with the exact count when the tree
 * is complete. So whatever a body holds, the tree never outgrows what was paid for, and a meter that refuses stops the
 * parse where it is. What is skipped costs nothing and is not counted.
 */
final class ReviewReader {

    /** How deep objects and arrays may nest. */
    static final int MAX_DEPTH = 500;

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /** How many tokens are paid for ahead at a time. */
    static final int STEP = 1024;

    /**
     * Pays for the tokens of a tree as it is built; refusing means throwing, which ends the parse (and reaches the
     * caller of {@link #read}).
     */
    @FunctionalInterface
    interface Meter {
        /** Accounts for the first {@code tokens} tokens of the tree (more or fewer than before). */
        void cover(long tokens);

        /** Accounts for nothing: a caller that bounds its input otherwise. */
        Meter NONE = tokens -> {
        };
    }

    /** Where the reader is, for deciding what to skip: only the few levels on the way to what is skipped. */
    private enum Level {
        ROOT,
        REQUEST,
        OBJECT,
        METADATA,
        ANNOTATIONS,
        OTHER,
        SKIP;

        Level child(String field) {
            return switch (this) {
                case ROOT -> field.equals("request") ? REQUEST : OTHER;
                case REQUEST -> field.equals("object") || field.equals("oldObject") ? OBJECT : OTHER;
                case OBJECT -> field.equals("metadata") ? METADATA : OTHER;
                case METADATA -> field.equals("managedFields") ? SKIP
                        : field.equals("annotations") ? ANNOTATIONS : OTHER;
                case ANNOTATIONS -> field.equals(LAST_APPLIED) ? SKIP : OTHER;
                default -> OTHER;
            };
        }
    }

    private final JsonFactory factory;
    private final JsonNodeFactory nodes;

    ReviewReader(JsonFactory factory, JsonNodeFactory nodes) {
        this.factory = new RawSkipFactory(factory);
        this.nodes = nodes;
    }

    /** The tree of the first JSON value in {@code body}; {@link MissingNode} when there is none. */
    JsonNode read(byte[] body) throws IOException {
        return read(body, Meter.NONE);
    }

    /**
     * The tree of the first JSON value in {@code body}, its tokens paid for through {@code meter}; {@link MissingNode}
     * when there is none.
     */
    JsonNode read(byte[] body, Meter meter) throws IOException {
        try (JsonParser p = factory.createParser(body)) {
            Tree tree = new Tree(p, meter, body.length);
            JsonToken t = tree.next();
            JsonNode root = t == null ? MissingNode.getInstance() : tree.value(t, Level.ROOT, 0);
            tree.settle();
            return root;
        }
    }

    /** One read: the parser, and the tokens read and paid for so far. */
    private final class Tree {
        private final JsonParser p;
        private final Meter meter;
        /** No body has more tokens than bytes. */
        private final long most;
        private long count;
        private long covered;

        Tree(JsonParser p, Meter meter, long bytes) {
            this.p = p;
            this.meter = meter;
            this.most = Math.max(1, bytes);
        }

        /** Counts one token read, paying for the next ones first when it is the first not paid for. */
        private void counted() {
            if (++count > covered) {
                covered = Math.max(count, Math.min(covered + STEP, most));
                meter.cover(covered);
            }
        }

        JsonToken next() throws IOException {
            JsonToken t = p.nextToken();
            if (t != null) {
                counted();
            }
            return t;
        }

        private String nextFieldName() throws IOException {
            String name = p.nextFieldName();
            counted();
            return name;
        }

        /** The charge made exact, once the tree is complete. */
        void settle() {
            if (count != covered) {
                covered = count;
                meter.cover(count);
            }
        }

        JsonNode value(JsonToken t, Level level, int depth) throws IOException {
            switch (t) {
                case START_OBJECT:
                    return object(level, depth + 1);
                case START_ARRAY:
                    return array(depth + 1);
                case VALUE_STRING:
                    return nodes.textNode(p.getText());
                case VALUE_NUMBER_INT:
                    return switch (p.getNumberType()) {
                        case INT -> nodes.numberNode(p.getIntValue());
                        case LONG -> nodes.numberNode(p.getLongValue());
                        default -> nodes.numberNode(p.getBigIntegerValue());
                    };
                case VALUE_NUMBER_FLOAT:
                    return nodes.numberNode(p.getDoubleValue());
                case VALUE_TRUE:
                    return nodes.booleanNode(true);
                case VALUE_FALSE:
                    return nodes.booleanNode(false);
                case VALUE_NULL:
                    return nodes.nullNode();
                default:
                    throw new JsonParseException(p, "unexpected token " + t);
            }
        }

        private ObjectNode object(Level level, int depth) throws IOException {
            checkDepth(p, depth);
            ObjectNode o = nodes.objectNode();
            for (String name = nextFieldName(); name != null; name = nextFieldName()) {
                JsonToken t = next();
                Level child = level == Level.OTHER ? Level.OTHER : level.child(name);
                if (child == Level.SKIP) {
                    RawSkipFactory.skipRaw(p);
                    o.remove(name); // as if it were absent, also when it came twice
                    continue;
                }
                o.set(name, value(t, child, depth));
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new JsonParseException(p, "unexpected end of object");
            }
            return o;
        }

        private ArrayNode array(int depth) throws IOException {
            checkDepth(p, depth);
            ArrayNode a = nodes.arrayNode();
            for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
                if (t == null) {
                    throw new JsonParseException(p, "unexpected end of input in an array");
                }
                a.add(value(t, Level.OTHER, depth));
            }
            return a;
        }
    }

    private static void checkDepth(JsonParser p, int depth) throws JsonParseException {
        if (depth > MAX_DEPTH) {
            throw new JsonParseException(p, "nesting deeper than " + MAX_DEPTH + " levels");
        }
    }
}
