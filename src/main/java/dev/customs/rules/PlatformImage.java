package dev.customs.rules;

import java.util.Map;

/**
 * One platform's image: its configuration, and the annotations of the manifest and of the index it was reached
 * through (manifest annotations win on a clash).
 */
public record PlatformImage(Platform platform, ImageConfig config, Map<String, String> annotations) {
    public PlatformImage {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
