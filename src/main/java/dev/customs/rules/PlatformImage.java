package dev.customs.rules;

import java.util.List;
import java.util.Map;

/**
 * One platform's image: its configuration, the annotations of the manifest and of the index it was reached through
 * (manifest annotations win on a clash), the manifest's layers, and the {@link ImageVerdict} judged from them, which
 * is what rules read.
 *
 * @param platform the platform
 * @param config the image configuration
 * @param annotations manifest annotations over index annotations
 * @param layers the manifest's layers, in order; empty when not known (a Dockerfile's planned image, a test double)
 * @param verdict what the image says about itself, judged from the other four
 * @param layerSecrets what the scan of the layers' files found, as far as it got: assembled per review from layer
 *        verdicts cached by layer digest (not part of the verdict, which is cached by config digest)
 */
public record PlatformImage(Platform platform, ImageConfig config, Map<String, String> annotations, List<Layer> layers,
        ImageVerdict verdict, LayerSecrets layerSecrets) {

    public PlatformImage {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        layers = layers == null ? List.of() : List.copyOf(layers);
        layerSecrets = layerSecrets == null ? LayerSecrets.OFF : layerSecrets;
    }

    /** A platform image whose layers were not scanned. */
    public PlatformImage(Platform platform, ImageConfig config, Map<String, String> annotations, List<Layer> layers,
            ImageVerdict verdict) {
        this(platform, config, annotations, layers, verdict, LayerSecrets.OFF);
    }

    /** The same image with what its layer scan found. */
    public PlatformImage withLayerSecrets(LayerSecrets secrets) {
        return new PlatformImage(platform, config, annotations, layers, verdict, secrets);
    }

    /** A platform image without known layers, its config judged now. */
    public PlatformImage(Platform platform, ImageConfig config, Map<String, String> annotations) {
        this(platform, config, annotations, List.of(), ImageVerdict.judge(platform, ConfigVerdict.judge(config),
                annotations, List.of()));
    }

    /** A platform image whose config was judged now. */
    public static PlatformImage judge(Platform platform, ImageConfig config, Map<String, String> annotations,
            List<Layer> layers) {
        return of(platform, config, ConfigVerdict.judge(config), annotations, layers);
    }

    /**
     * A platform image from a config whose verdict was judged before (cached with the config, by digest): only the
     * cheap manifest part is combined here.
     */
    public static PlatformImage of(Platform platform, ImageConfig config, ConfigVerdict judged,
            Map<String, String> annotations, List<Layer> layers) {
        return new PlatformImage(platform, config, annotations, layers,
                ImageVerdict.judge(platform, judged, annotations, layers));
    }
}
