package dev.customs.image;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.customs.rules.ContainerView;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.ImageReference;
import dev.customs.rules.PodView;

/**
 * Resolves every distinct image of a pod view in parallel, within one budget, before the rules run. An image that is
 * not resolved within the budget is unavailable; the admission answer is never held up beyond it. Each reference is
 * the one the pod view parsed; images that the inspector answers at once (warm caches) cost no future chain.
 */
public final class ImageResolver {

    private final ImageInspector inspector;
    private final Duration budget;
    private final boolean measured;
    private final boolean background;

    public ImageResolver(ImageInspector inspector, Duration budget) {
        this(inspector, budget, true, false);
    }

    private ImageResolver(ImageInspector inspector, Duration budget, boolean measured, boolean background) {
        this.inspector = inspector;
        this.budget = budget;
        this.measured = measured;
        this.background = background;
    }

    /** The same resolution, left out of the metrics: for the start-up warm-up, which is not a review. */
    public ImageResolver unmeasured() {
        return new ImageResolver(inspector, budget, false, background);
    }

    /**
     * The same resolution and caches for background work (the audit): its registry requests take only the background
     * share of each registry host's connections, so they never take those admission needs.
     */
    public ImageResolver background() {
        return new ImageResolver(inspector, budget, measured, true);
    }

    /** Warms the inspector's code for misses: see {@link ImageInspector#warmUp}. */
    public void warmUp(int rounds) {
        inspector.warmUp(rounds);
    }

    /** Resolves the images of the containers in the view's scope; never completes exceptionally. */
    public CompletableFuture<ImageLookup> resolve(PodView pod) {
        ImageRequest request = new ImageRequest(PlatformSelector.of(pod.spec()), pod.namespace(),
                pod.spec().imagePullSecrets(), pod.spec().serviceAccountName(), deadline(), measured, background);
        Map<String, ImageFacts> facts = new HashMap<>();
        List<String> waiting = null;
        List<CompletableFuture<ImageFacts>> pending = null;
        for (ContainerView c : pod.containers()) {
            String image = c.image() == null ? "" : c.image();
            if (facts.containsKey(image) || waiting != null && waiting.contains(image)) {
                continue;
            }
            ImageFacts known = knownOne(image, c.reference(), request);
            if (known != null) {
                facts.put(image, known);
                continue;
            }
            CompletableFuture<ImageFacts> f = inspectOne(image, c.reference(), request);
            ImageFacts done = f.isDone() && !f.isCompletedExceptionally() ? f.getNow(null) : null;
            if (done != null) {
                facts.put(image, done);
            } else {
                if (waiting == null) {
                    waiting = new ArrayList<>();
                    pending = new ArrayList<>();
                }
                waiting.add(image);
                pending.add(bounded(f));
            }
        }
        if (waiting == null) {
            return CompletableFuture.completedFuture(lookup(facts));
        }
        List<String> images = waiting;
        List<CompletableFuture<ImageFacts>> futures = pending;
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (int i = 0; i < images.size(); i++) {
                facts.put(images.get(i), futures.get(i).join());
            }
            return lookup(facts);
        });
    }

    /**
     * When waiting work (admission-mode layer scans) must have handed its result back: a little before the budget
     * runs out, so the facts still arrive in time.
     */
    private long deadline() {
        long budgetNanos = budget.toNanos();
        return System.nanoTime() + budgetNanos - Math.min(budgetNanos / 10, Duration.ofMillis(200).toNanos());
    }

    private static ImageLookup lookup(Map<String, ImageFacts> facts) {
        return c -> facts.getOrDefault(c.image() == null ? "" : c.image(), ImageFacts.NOT_NEEDED);
    }

    /** The facts of a valid reference the inspector knows final now (a warm image), or null. */
    private ImageFacts knownOne(String image, ImageReference ref, ImageRequest request) {
        if (image.isEmpty() || !ref.valid()) {
            return null;
        }
        try {
            return inspector.known(ref, request);
        } catch (RuntimeException e) {
            return null; // inspectOne answers
        }
    }

    private CompletableFuture<ImageFacts> inspectOne(String image, ImageReference ref, ImageRequest request) {
        if (image.isEmpty()) {
            return CompletableFuture.completedFuture(new ImageFacts.Unavailable("the container has no image"));
        }
        if (!ref.valid()) {
            return CompletableFuture
                    .completedFuture(new ImageFacts.Unavailable("invalid image reference: " + ref.error()));
        }
        try {
            return inspector.inspect(ref, request).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture
                    .completedFuture(new ImageFacts.Unavailable("inspection failed: " + e.getClass().getSimpleName()));
        }
    }

    /** A resolution still under way, cut off at the budget. */
    private CompletableFuture<ImageFacts> bounded(CompletableFuture<ImageFacts> f) {
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
