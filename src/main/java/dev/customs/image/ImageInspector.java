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
     * Runs, {@code rounds} times, the code a miss runs, on a built-in image and without contacting any registry outside
     * the process, so the JIT compiles it before the first real miss; an inspector with no such code does nothing.
     */
    default void warmUp(int rounds) {
    }
}
