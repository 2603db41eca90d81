package dev.customs.image.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.image.registry.RegistryFailure.Kind;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.Platform;

/** Reads the parts of an OCI or Docker image configuration blob the rules use into an {@link ImageConfig}. */
final class ConfigParser {

    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

    private ConfigParser() {
    }

    /** True when a config descriptor's media type is an image configuration (empty counts as one). */
    static boolean imageConfig(String mediaType) {
        return mediaType == null || mediaType.isEmpty() || mediaType.equals(OCI_CONFIG)
                || mediaType.equals(DOCKER_CONFIG);
    }

    static ImageConfig parse(ObjectMapper mapper, byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (IOException e) {
            throw new RegistryFailure(Kind.INVALID, "the image config is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new RegistryFailure(Kind.INVALID, "the image config is not a JSON object");
        }
        JsonNode c = root.path("config");
        List<ImageConfig.History> history = new ArrayList<>();
        for (JsonNode h : root.path("history")) {
            history.add(new ImageConfig.History(h.path("created_by").asText(""), h.path("empty_layer").asBoolean(false)));
        }
        java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
        c.path("Labels").fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                labels.put(e.getKey(), e.getValue().asText());
            }
        });
        Platform platform = new Platform(root.path("os").asText("unknown"), root.path("architecture").asText("unknown"),
                root.path("variant").asText(null));
        return new ImageConfig(platform, c.path("User").asText(""), strings(c.get("Entrypoint")), strings(c.get("Cmd")),
                strings(c.get("Env")), labels, history);
    }

    private static List<String> strings(JsonNode n) {
        if (n == null || !n.isArray()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(v.isNull() ? "" : v.asText()));
        return out;
    }
}
