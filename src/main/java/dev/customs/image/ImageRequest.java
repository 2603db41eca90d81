package dev.customs.image;

import java.util.List;

/**
 * What an inspector needs to know, besides the reference, to resolve an image for one pod: which platforms the pod can
 * run on, where pull credentials may come from, and whether the resolution counts in the metrics.
 *
 * @param platforms the platforms to evaluate
 * @param namespace the pod's namespace, for its pull secrets
 * @param imagePullSecrets the names of the pod's {@code imagePullSecrets}
 * @param serviceAccount the pod's service account name, whose pull secrets also apply
 * @param deadlineNanos when the answer is due ({@link System#nanoTime()}), for work that may wait until then (layer
 *        scans in admission mode); 0 for no deadline
 * @param measured false for Customs' own start-up warm-up, which must not show on the dashboard as registry errors
 * @param background true for the audit's resolutions: their registry requests take only the background share of the
 *        connections to a registry host, so admission always finds connections free
 */
public record ImageRequest(PlatformSelector platforms, String namespace, List<String> imagePullSecrets,
        String serviceAccount, long deadlineNanos, boolean measured, boolean background) {

    public ImageRequest {
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
    }

    /** A request of admission (not of the background audit). */
    public ImageRequest(PlatformSelector platforms, String namespace, List<String> imagePullSecrets,
            String serviceAccount, long deadlineNanos, boolean measured) {
        this(platforms, namespace, imagePullSecrets, serviceAccount, deadlineNanos, measured, false);
    }

    /** A request of a real review without a deadline, counted in the metrics. */
    public ImageRequest(PlatformSelector platforms, String namespace, List<String> imagePullSecrets,
            String serviceAccount) {
        this(platforms, namespace, imagePullSecrets, serviceAccount, 0, true);
    }
}
