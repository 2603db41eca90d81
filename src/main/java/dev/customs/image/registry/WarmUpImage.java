package dev.customs.image.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The built-in image {@link RegistryImageInspector#warmUp} judges: an OCI index of a {@code linux/amd64} and a
 * {@code linux/arm64} image and a build attestation, as {@code docker buildx} pushes them, each image with its own
 * config (the resource {@code /warm-up/image-config.json}: a Node.js build whose history holds a build argument and an
 * {@code ENV} with credentials' names and placeholder values) and five small layers. Every document is made here and
 * named by its real digest, so the digests verify as a registry's would, and it can be pushed to one as it is.
 */
final class WarmUpImage {

    private static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    private final String indexDigest;
    private final Map<String, byte[]> blobs = new LinkedHashMap<>();
    private final Map<String, byte[]> manifests = new LinkedHashMap<>();

    private WarmUpImage(ObjectMapper mapper) throws IOException {
        ObjectNode index = mapper.createObjectNode().put("schemaVersion", 2).put("mediaType", RegistryClient.OCI_INDEX);
        ArrayNode entries = index.putArray("manifests");
        byte[] template;
        try (InputStream in = WarmUpImage.class.getResourceAsStream("/warm-up/image-config.json")) {
            if (in == null) {
                throw new IllegalStateException("missing resource /warm-up/image-config.json");
            }
            template = in.readAllBytes();
        }
        for (String arch : List.of("amd64", "arm64")) {
            ObjectNode config = (ObjectNode) mapper.readTree(template);
            config.put("architecture", arch);
            List<byte[]> layers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                layers.add((arch + " layer " + i).getBytes(StandardCharsets.UTF_8));
            }
            ObjectNode manifest = manifest(mapper, ConfigParser.OCI_CONFIG, mapper.writeValueAsBytes(config), LAYER,
                    layers);
            manifest.putObject("annotations").put("org.opencontainers.image.created", "2026-01-01T00:00:00Z");
            byte[] body = mapper.writeValueAsBytes(manifest);
            ObjectNode entry = entries.addObject().put("mediaType", RegistryClient.OCI_MANIFEST)
                    .put("digest", add(manifests, body)).put("size", body.length);
            entry.putObject("platform").put("architecture", arch).put("os", "linux");
        }
        // the provenance attestation buildx adds: an image manifest for the platform unknown/unknown, never selected
        byte[] attestation = mapper.writeValueAsBytes(manifest(mapper, "application/vnd.oci.image.config.v1+json",
                "{}".getBytes(StandardCharsets.UTF_8), "application/vnd.in-toto+json",
                List.of("{\"_type\":\"https://in-toto.io/Statement/v0.1\"}".getBytes(StandardCharsets.UTF_8))));
        ObjectNode entry = entries.addObject().put("mediaType", RegistryClient.OCI_MANIFEST)
                .put("digest", add(manifests, attestation)).put("size", attestation.length);
        entry.putObject("platform").put("architecture", "unknown").put("os", "unknown");
        entry.putObject("annotations").put("vnd.docker.reference.type", "attestation-manifest");
        index.putObject("annotations").put("org.opencontainers.image.source", "https://example.invalid/warm-up");
        this.indexDigest = add(manifests, mapper.writeValueAsBytes(index));
    }

    /** An image manifest of this config and these layers, all of which are added to the blobs. */
    private ObjectNode manifest(ObjectMapper mapper, String configType, byte[] config, String layerType,
            List<byte[]> layers) {
        ObjectNode manifest = mapper.createObjectNode().put("schemaVersion", 2).put("mediaType",
                RegistryClient.OCI_MANIFEST);
        manifest.putObject("config").put("mediaType", configType).put("digest", add(blobs, config)).put("size",
                config.length);
        ArrayNode list = manifest.putArray("layers");
        for (byte[] layer : layers) {
            list.addObject().put("mediaType", layerType).put("digest", add(blobs, layer)).put("size", layer.length);
        }
        return manifest;
    }

    static WarmUpImage make(ObjectMapper mapper) {
        try {
            return new WarmUpImage(mapper);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String indexDigest() {
        return indexDigest;
    }

    /** The document with this digest. */
    byte[] body(String digest) {
        byte[] body = manifests.getOrDefault(digest, blobs.get(digest));
        if (body == null) {
            throw new IllegalArgumentException("the warm-up image has no document " + digest);
        }
        return body;
    }

    /** The configs and layers, by digest, in the order the manifests name them. */
    Map<String, byte[]> blobs() {
        return Collections.unmodifiableMap(blobs);
    }

    /** The manifests, by digest: the index last, after the manifests it lists. */
    Map<String, byte[]> manifests() {
        return Collections.unmodifiableMap(manifests);
    }

    private static String add(Map<String, byte[]> to, byte[] body) {
        String digest = Digests.sha256(body);
        to.put(digest, body);
        return digest;
    }
}
