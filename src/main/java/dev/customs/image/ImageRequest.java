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
 */
public record ImageRequest(PlatformSelector platforms, String namespace, List<String> imagePullSecrets,
        String serviceAccount) {

    public ImageRequest {
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
    }
}
