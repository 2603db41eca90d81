package dev.customs.image.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Parses a config blob; an image over one of the {@link ImageLimits} is refused with a {@link Kind#INVALID}
     * failure that names the limit.
     */
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
        ImageLimits.Text text = new ImageLimits.Text(WHAT, "its environment, labels, entrypoint, command and history",
                ImageLimits.TEXT);
        JsonNode h = root.path("history");
        limit(h, ImageLimits.HISTORY, "history entries");
        List<ImageConfig.History> history = new ArrayList<>();
        for (JsonNode entry : h) {
            history.add(new ImageConfig.History(text.add(entry.path("created_by").asText("")),
                    entry.path("empty_layer").asBoolean(false)));
        }
        JsonNode l = c.path("Labels");
        limit(l, ImageLimits.LABELS, "labels");
        Map<String, String> labels = new LinkedHashMap<>();
        l.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                labels.put(text.add(e.getKey()), text.add(e.getValue().asText()));
            }
        });
        Platform platform = new Platform(text.add(root.path("os").asText("unknown")),
                text.add(root.path("architecture").asText("unknown")), text.add(root.path("variant").asText(null)));
        return new ImageConfig(platform, text.add(c.path("User").asText("")),
                strings(c.get("Entrypoint"), ImageLimits.ARGUMENTS, "Entrypoint arguments", text),
                strings(c.get("Cmd"), ImageLimits.ARGUMENTS, "Cmd arguments", text),
                strings(c.get("Env"), ImageLimits.ENV, "Env entries", text), labels, history);
    }

    private static final String WHAT = "the image config";

    private static void limit(JsonNode n, int limit, String unit) {
        if (n != null && n.size() > limit) {
            throw ImageLimits.over(WHAT, n.size(), limit, unit);
        }
    }

    private static List<String> strings(JsonNode n, int limit, String unit, ImageLimits.Text text) {
        if (n == null || !n.isArray()) {
            return List.of();
        }
        limit(n, limit, unit);
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(text.add(v.isNull() ? "" : v.asText())));
        return out;
    }
}
