package dev.customs.rules;

import java.util.List;
import java.util.Map;

/**
 * One platform's image: its configuration, the annotations of the manifest and of the index it was reached through
 * (manifest annotations win on a clash), its layers in order, and what the scan of its layer files found.
 */
public record PlatformImage(Platform platform, ImageConfig config, Map<String, String> annotations, List<Layer> layers,
        LayerSecrets layerSecrets) {
    public PlatformImage {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        layers = layers == null ? List.of() : List.copyOf(layers);
        layerSecrets = layerSecrets == null ? LayerSecrets.OFF : layerSecrets;
    }

    /** An image whose layers are not known (tests, canned facts). */
    public PlatformImage(Platform platform, ImageConfig config, Map<String, String> annotations) {
        this(platform, config, annotations, List.of(), LayerSecrets.OFF);
    }

    /** The same image with what its layer scan found. */
    public PlatformImage withLayerSecrets(LayerSecrets secrets) {
        return new PlatformImage(platform, config, annotations, layers, secrets);
    }
}
