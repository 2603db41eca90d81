package dev.customs.image;

import java.util.concurrent.CompletionStage;

import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;

/**
 * Resolves one image reference to its facts. Implementations never complete exceptionally and never block the caller:
 * every failure becomes {@link ImageFacts.Unavailable} with a reason fit to show a user (no credentials, no stack
 * traces).
 */
public interface ImageInspector {

    CompletionStage<ImageFacts> inspect(ImageReference reference, ImageRequest request);

    /**
     * The facts {@link #inspect} would complete with at once, without a future, when the inspector knows them final
     * now (a warm image whose layers are all judged); null otherwise, and then {@code inspect} answers. Counted as
     * {@code inspect} counts them.
     */
    default ImageFacts known(ImageReference reference, ImageRequest request) {
        return null;
    }

    /**
     * Runs, {@code rounds} times, the code a miss runs, on a built-in image and without contacting any registry outside
     * the process, so the JIT compiles it before the first real miss; an inspector with no such code does nothing.
     */
    default void warmUp(int rounds) {
    }
}
