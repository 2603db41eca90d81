package dev.customs.image;

import java.util.List;

/**
 * What an inspector needs to know, besides the reference, to resolve an image for one pod: which platforms the pod can
 * run on, and where pull credentials may come from.
 *
 * @param platforms the platforms to evaluate
 * @param namespace the pod's namespace, for its pull secrets
 * @param imagePullSecrets the names of the pod's {@code imagePullSecrets}
 * @param serviceAccount the pod's service account name, whose pull secrets also apply
 * @param deadlineNanos when the answer is due ({@link System#nanoTime()}), for work that may wait until then (layer
 *        scans in admission mode); 0 for no deadline
 */
public record ImageRequest(PlatformSelector platforms, String namespace, List<String> imagePullSecrets,
        String serviceAccount, long deadlineNanos) {

    public ImageRequest {
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
    }

    /** A request without a deadline. */
    public ImageRequest(PlatformSelector platforms, String namespace, List<String> imagePullSecrets,
            String serviceAccount) {
        this(platforms, namespace, imagePullSecrets, serviceAccount, 0);
    }
}
