package dev.customs.rules;

import java.util.List;
import java.util.Objects;

/**
 * What is known about one container's image when the rules run. There are exactly three outcomes: the image was
 * {@link Resolved} (one {@link PlatformImage} per platform the pod can run on), it is {@link Unavailable} (the registry
 * could not be asked or refused; the reason is shown to the user), or the facts were {@link NotNeeded} because no
 * active rule reads them.
 *
 * <p>
 * Image-dependent rules never guess: on anything but {@code Resolved} they report the image as unverified instead of
 * passing or failing it.
 */
public sealed interface ImageFacts {

    /** The image's configuration and annotations, per platform; never an empty list. */
    record Resolved(String digest, List<PlatformImage> platforms) implements ImageFacts {
        public Resolved {
            platforms = List.copyOf(platforms);
            if (platforms.isEmpty()) {
                throw new IllegalArgumentException("a resolved image has at least one platform");
            }
        }

        /** A single-platform image, as tests and simple manifests have. */
        public static Resolved of(ImageConfig config) {
            return new Resolved(null, List.of(new PlatformImage(config.platform(), config, java.util.Map.of())));
        }

        /** True when the image has more than one platform, so findings name the platform they apply to. */
        public boolean multiPlatform() {
            return platforms.size() > 1;
        }
    }

    /** The image could not be inspected; {@code reason} is a short, credential-free explanation. */
    record Unavailable(String reason) implements ImageFacts {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** No active rule needed this image's facts, so none were fetched. */
    record NotNeeded() implements ImageFacts {
    }

    NotNeeded NOT_NEEDED = new NotNeeded();
}
