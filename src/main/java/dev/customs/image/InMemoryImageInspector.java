package dev.customs.image;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;

/**
 * Image facts held in memory, keyed by the reference as written or its normalised form. Used by tests, examples and
 * offline evaluation; an image it does not know is unavailable, or answered with a default when one is set.
 */
public final class InMemoryImageInspector implements ImageInspector {

    private final Map<String, ImageFacts> facts = new ConcurrentHashMap<>();
    private final ImageFacts fallback;

    public InMemoryImageInspector() {
        this(new ImageFacts.Unavailable("image not known to the in-memory inspector"));
    }

    /** An inspector that answers {@code fallback} for every image it was not given. */
    public InMemoryImageInspector(ImageFacts fallback) {
        this.fallback = fallback;
    }

    public InMemoryImageInspector put(String reference, ImageFacts f) {
        facts.put(reference, f);
        return this;
    }

    public InMemoryImageInspector put(String reference, ImageConfig config) {
        return put(reference, ImageFacts.Resolved.of(config));
    }

    /** Facts for a reference, falling back to the normalised form and then the default; no future involved. */
    public ImageFacts get(ImageReference reference) {
        ImageFacts f = reference.original() == null ? null : facts.get(reference.original());
        if (f == null && reference.valid()) {
            f = facts.get(reference.normalized());
        }
        return f != null ? f : fallback;
    }

    @Override
    public CompletionStage<ImageFacts> inspect(ImageReference reference, ImageRequest request) {
        return CompletableFuture.completedFuture(get(reference));
    }
}
