package dev.customs.image;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;

/** An inspector that reaches no registry: every image is unavailable with the given reason. */
public final class UnavailableImageInspector implements ImageInspector {

    private final ImageFacts.Unavailable answer;

    public UnavailableImageInspector(String reason) {
        this.answer = new ImageFacts.Unavailable(reason);
    }

    @Override
    public CompletionStage<ImageFacts> inspect(ImageReference reference, ImageRequest request) {
        return CompletableFuture.completedFuture(answer);
    }
}
