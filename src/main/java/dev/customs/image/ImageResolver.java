package dev.customs.image;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.customs.rules.ContainerView;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.ImageReference;
import dev.customs.rules.PodView;

/**
 * Resolves every distinct image of a pod view in parallel, within one budget, before the rules run. An image that is
 * not resolved within the budget is unavailable; the admission answer is never held up beyond it.
 */
public final class ImageResolver {

    private final ImageInspector inspector;
    private final Duration budget;
    private final boolean measured;

    public ImageResolver(ImageInspector inspector, Duration budget) {
        this(inspector, budget, true);
    }

    private ImageResolver(ImageInspector inspector, Duration budget, boolean measured) {
        this.inspector = inspector;
        this.budget = budget;
        this.measured = measured;
    }

    /** The same resolution, left out of the metrics: for the start-up warm-up, which is not a review. */
    public ImageResolver unmeasured() {
        return new ImageResolver(inspector, budget, false);
    }

    /** Resolves the images of the containers in the view's scope; never completes exceptionally. */
    public CompletableFuture<ImageLookup> resolve(PodView pod) {
        Set<String> images = new LinkedHashSet<>();
        for (ContainerView c : pod.containers()) {
            images.add(c.image() == null ? "" : c.image());
        }
        ImageRequest request = new ImageRequest(PlatformSelector.of(pod.spec()), pod.namespace(),
                pod.spec().getImagePullSecrets() == null ? List.of()
                        : pod.spec().getImagePullSecrets().stream().filter(r -> r != null && r.getName() != null)
                                .map(r -> r.getName()).toList(),
                pod.spec().getServiceAccountName(), measured);
        Map<String, CompletableFuture<ImageFacts>> pending = new HashMap<>();
        for (String image : images) {
            pending.put(image, inspectOne(image, request));
        }
        return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, ImageFacts> facts = new HashMap<>();
            pending.forEach((image, f) -> facts.put(image, f.join()));
            return c -> facts.getOrDefault(c.image() == null ? "" : c.image(), ImageFacts.NOT_NEEDED);
        });
    }

    private CompletableFuture<ImageFacts> inspectOne(String image, ImageRequest request) {
        if (image.isEmpty()) {
            return CompletableFuture.completedFuture(new ImageFacts.Unavailable("the container has no image"));
        }
        ImageReference ref = ImageReference.parse(image);
        if (!ref.valid()) {
            return CompletableFuture
                    .completedFuture(new ImageFacts.Unavailable("invalid image reference: " + ref.error()));
        }
        CompletableFuture<ImageFacts> f;
        try {
            f = inspector.inspect(ref, request).toCompletableFuture();
        } catch (RuntimeException e) {
            f = CompletableFuture
                    .completedFuture(new ImageFacts.Unavailable("inspection failed: " + e.getClass().getSimpleName()));
        }
        // copy before completing on timeout, so a shared in-flight future of the inspector is never completed by us
        return f.thenApply(x -> x)
                .completeOnTimeout(new ImageFacts.Unavailable("the registry did not answer within the "
                        + budget.toMillis() + " ms budget"), budget.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> new ImageFacts.Unavailable("inspection failed: " + rootMessage(e)));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }
}
