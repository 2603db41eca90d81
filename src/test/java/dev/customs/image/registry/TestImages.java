package dev.customs.image.registry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Image configs, manifests and indexes as JSON bytes, with exactly the fields a test case needs. */
public final class TestImages {

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** The labels every compliant test image carries. */
    public static final Map<String, String> OCI_LABELS = Map.of("org.opencontainers.image.title", "app",
            "org.opencontainers.image.source", "https://example.com/app.git", "org.opencontainers.image.version",
            "1.0.0", "org.opencontainers.image.revision", "0123456789abcdef");

    static final ObjectMapper MAPPER = new ObjectMapper();

    private TestImages() {
    }

    /** A fluent image config. */
    public static final class Config {
        String os = "linux";
        String architecture = "amd64";
        String variant;
        String user;
        List<String> entrypoint;
        List<String> cmd;
        final List<String> env = new ArrayList<>(List.of("PATH=/usr/local/bin:/usr/bin:/bin"));
        final Map<String, String> labels = new LinkedHashMap<>();
        final List<String> history = new ArrayList<>();
        final Set<Integer> emptyLayers = new HashSet<>();
        int padding;

        public Config platform(String os, String architecture) {
            this.os = os;
            this.architecture = architecture;
            return this;
        }

        public Config variant(String variant) {
            this.variant = variant;
            return this;
        }

        public Config user(String user) {
            this.user = user;
            return this;
        }

        public Config entrypoint(String... e) {
            this.entrypoint = List.of(e);
            return this;
        }

        public Config cmd(String... c) {
            this.cmd = List.of(c);
            return this;
        }

        public Config env(String e) {
            env.add(e);
            return this;
        }

        public Config labels(Map<String, String> l) {
            labels.putAll(l);
            return this;
        }

        public Config history(String createdBy) {
            history.add(createdBy);
            return this;
        }

        /** A history entry that made no layer ({@code empty_layer: true}). */
        public Config emptyHistory(String createdBy) {
            history.add(createdBy);
            emptyLayers.add(history.size() - 1);
            return this;
        }

        /** Pads the config with an env entry so it is at least {@code bytes} long. */
        public Config padTo(int bytes) {
            this.padding = bytes;
            return this;
        }

        public byte[] json() {
            ObjectNode root = MAPPER.createObjectNode();
            root.put("architecture", architecture);
            root.put("os", os);
            if (variant != null) {
                root.put("variant", variant);
            }
            ObjectNode c = root.putObject("config");
            if (user != null) {
                c.put("User", user);
            }
            ArrayNode e = c.putArray("Env");
            env.forEach(e::add);
            if (padding > 0) {
                e.add("PADDING=" + "x".repeat(padding));
            }
            if (entrypoint != null) {
                ArrayNode a = c.putArray("Entrypoint");
                entrypoint.forEach(a::add);
            }
            if (cmd != null) {
                ArrayNode a = c.putArray("Cmd");
                cmd.forEach(a::add);
            }
            if (!labels.isEmpty()) {
                ObjectNode l = c.putObject("Labels");
                labels.forEach(l::put);
            }
            root.putObject("rootfs").put("type", "layers").putArray("diff_ids")
                    .add("sha256:" + "0".repeat(64));
            ArrayNode h = root.putArray("history");
            for (int i = 0; i < history.size(); i++) {
                ObjectNode entry = h.addObject().put("created_by", history.get(i));
                if (emptyLayers.contains(i)) {
                    entry.put("empty_layer", true);
                }
            }
            return bytes(root);
        }
    }

    public static Config config() {
        return new Config();
    }

    /** An image manifest (OCI or Docker schema 2) for a config and one layer. */
    public static byte[] manifest(boolean oci, String configDigest, long configSize, String layerDigest,
            long layerSize, Map<String, String> annotations) {
        return manifest(oci, oci ? OCI_CONFIG : DOCKER_CONFIG, configDigest, configSize, layerDigest, layerSize,
                annotations);
    }

    public static byte[] manifest(boolean oci, String configMediaType, String configDigest, long configSize,
            String layerDigest, long layerSize, Map<String, String> annotations) {
        return manifest(oci, configMediaType, configDigest, configSize,
                List.of(new LayerRef(oci ? OCI_LAYER : DOCKER_LAYER, layerDigest, layerSize)), annotations);
    }

    /** One layer as a manifest lists it. */
    public record LayerRef(String mediaType, String digest, long size) {
    }

    /** An image manifest for a config and the given layers, in order. */
    public static byte[] manifest(boolean oci, String configMediaType, String configDigest, long configSize,
            List<LayerRef> layers, Map<String, String> annotations) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", oci ? OCI_MANIFEST : DOCKER_MANIFEST);
        root.putObject("config").put("mediaType", configMediaType).put("digest", configDigest).put("size",
                configSize);
        ArrayNode ls = root.putArray("layers");
        layers.forEach(l -> ls.addObject().put("mediaType", l.mediaType()).put("digest", l.digest()).put("size",
                l.size()));
        if (annotations != null && !annotations.isEmpty()) {
            ObjectNode a = root.putObject("annotations");
            annotations.forEach(a::put);
        }
        return bytes(root);
    }

    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";

    /** One layer to push: its blob and media type. */
    public record TestLayer(byte[] blob, String mediaType) {
        public static TestLayer gzip(byte[] blob) {
            return new TestLayer(blob, OCI_LAYER);
        }
    }

    /** An OCI image manifest for a config and the given layers (already pushed: digests and sizes). */
    public static byte[] manifest(String configDigest, long configSize, List<String[]> layers) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", OCI_MANIFEST);
        root.putObject("config").put("mediaType", OCI_CONFIG).put("digest", configDigest).put("size", configSize);
        ArrayNode l = root.putArray("layers");
        for (String[] layer : layers) {
            l.addObject().put("mediaType", layer[0]).put("digest", layer[1]).put("size", Long.parseLong(layer[2]));
        }
        return bytes(root);
    }

    /** One entry of an index. */
    public record IndexEntry(String mediaType, String digest, long size, String os, String architecture,
            String variant) {
    }

    public static byte[] index(boolean oci, List<IndexEntry> entries, Map<String, String> annotations) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", oci ? OCI_INDEX : DOCKER_LIST);
        ArrayNode m = root.putArray("manifests");
        for (IndexEntry e : entries) {
            ObjectNode n = m.addObject().put("mediaType", e.mediaType()).put("digest", e.digest()).put("size",
                    e.size());
            ObjectNode p = n.putObject("platform").put("architecture", e.architecture()).put("os", e.os());
            if (e.variant() != null) {
                p.put("variant", e.variant());
            }
        }
        if (annotations != null && !annotations.isEmpty()) {
            ObjectNode a = root.putObject("annotations");
            annotations.forEach(a::put);
        }
        return bytes(root);
    }

    static byte[] bytes(Object tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
