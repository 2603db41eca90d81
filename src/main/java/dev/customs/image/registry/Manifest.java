package dev.customs.image.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.image.registry.RegistryFailure.Kind;
import dev.customs.rules.Platform;

/**
 * A parsed manifest: an {@link Index} (OCI image index or Docker manifest list) or an {@link Image} manifest (OCI or
 * Docker schema 2). Schema 1 and any other media type are refused with a reason a user can act on.
 */
sealed interface Manifest {

    /** A content descriptor. */
    record Descriptor(String mediaType, String digest, long size) {
    }

    /** One entry of an index; {@code platform} is null when the entry declares none. */
    record Entry(String mediaType, String digest, long size, Platform platform, Map<String, String> annotations) {
        /** True for entries that are image manifests (not nested indexes, not other artifacts). */
        boolean imageManifest() {
            return mediaType == null || mediaType.isEmpty() || mediaType.equals(RegistryClient.OCI_MANIFEST)
                    || mediaType.equals(RegistryClient.DOCKER_MANIFEST);
        }
    }

    record Index(String mediaType, List<Entry> manifests, Map<String, String> annotations) implements Manifest {
    }

    /** An image manifest: its config descriptor, its layers in order (base first), and its annotations. */
    record Image(String mediaType, Descriptor config, List<Descriptor> layers, Map<String, String> annotations)
            implements
                Manifest {
    }

    String mediaType();

    Map<String, String> annotations();

    String SCHEMA1 = "application/vnd.docker.distribution.manifest.v1";

    /** Parses a manifest body; {@code contentType} is the registry's header, used when the body names no type. */
    static Manifest parse(ObjectMapper mapper, byte[] body, String contentType) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (IOException e) {
            throw new RegistryFailure(Kind.INVALID, "the manifest is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new RegistryFailure(Kind.INVALID, "the manifest is not a JSON object");
        }
        String declared = root.path("mediaType").asText("");
        String header = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        String type = declared.isEmpty() ? header : declared;
        if (root.path("schemaVersion").asInt(0) == 1 || type.startsWith(SCHEMA1)) {
            throw new RegistryFailure(Kind.INVALID, "the image has a Docker schema 1 manifest, which Customs does not "
                    + "read (deprecated since 2017); push it again with a current builder");
        }
        if (type.isEmpty() || type.equals("application/json")) {
            type = root.has("manifests") ? RegistryClient.OCI_INDEX
                    : root.has("config") ? RegistryClient.OCI_MANIFEST : "";
        }
        Map<String, String> annotations = strings(root.get("annotations"));
        switch (type) {
            case RegistryClient.OCI_INDEX, RegistryClient.DOCKER_LIST -> {
                List<Entry> entries = new ArrayList<>();
                for (JsonNode m : root.path("manifests")) {
                    String digest = m.path("digest").asText("");
                    if (digest.isEmpty()) {
                        continue;
                    }
                    JsonNode p = m.get("platform");
                    Platform platform = p == null || !p.isObject() ? null
                            : new Platform(p.path("os").asText(""), p.path("architecture").asText(""),
                                    p.path("variant").asText(null));
                    entries.add(new Entry(m.path("mediaType").asText(""), digest, m.path("size").asLong(-1), platform,
                            strings(m.get("annotations"))));
                }
                return new Index(type, entries, annotations);
            }
            case RegistryClient.OCI_MANIFEST, RegistryClient.DOCKER_MANIFEST -> {
                JsonNode c = root.path("config");
                String digest = c.path("digest").asText("");
                if (digest.isEmpty()) {
                    throw new RegistryFailure(Kind.INVALID, "the manifest has no config descriptor");
                }
                List<Descriptor> layers = new ArrayList<>();
                for (JsonNode l : root.path("layers")) {
                    layers.add(new Descriptor(l.path("mediaType").asText(""), l.path("digest").asText(""),
                            l.path("size").asLong(-1)));
                }
                return new Image(type, new Descriptor(c.path("mediaType").asText(""), digest, c.path("size").asLong(-1)),
                        List.copyOf(layers), annotations);
            }
            default -> throw new RegistryFailure(Kind.INVALID, type.isEmpty()
                    ? "the manifest has no media type Customs understands"
                    : "unsupported manifest media type \"" + printable(type) + "\"");
        }
    }

    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 100 ? t.substring(0, 100) + "…" : t;
    }

    private static Map<String, String> strings(JsonNode n) {
        if (n == null || !n.isObject()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }
}
