package dev.customs.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code oci-labels}: an image that does not say what it is. Without {@code org.opencontainers.image.source},
 * {@code version} and {@code revision} nobody can trace a running image back to the code and build it came from.
 *
 * <p>
 * Reads the image config's {@code Labels} and the manifest and index annotations. Every required key must be present
 * and non-blank in one of them. The required keys are configurable; by default {@code title}, {@code source},
 * {@code version} and {@code revision}. Which keys an image carries is part of its {@link ImageVerdict}; a review
 * only looks them up.
 */
public final class OciLabels implements Rule {

    public static final String ID = "oci-labels";

    public static final List<String> DEFAULT_REQUIRED = List.of("org.opencontainers.image.title",
            "org.opencontainers.image.source", "org.opencontainers.image.version",
            "org.opencontainers.image.revision");

    private final List<String> required;

    public OciLabels() {
        this(DEFAULT_REQUIRED);
    }

    public OciLabels(List<String> required) {
        this.required = List.copyOf(required.stream().map(OciLabels::canonicalKey).toList());
    }

    /** The well-known keys, each its one instance: see {@link #canonicalKey}. */
    private static final Map<String, String> WELL_KNOWN = Stream
            .concat(DEFAULT_REQUIRED.stream(), Stream.of(ImageVerdict.BASE_NAME, ImageVerdict.BASE_DIGEST))
            .collect(Collectors.toUnmodifiableMap(k -> k, k -> k));

    /**
     * The one instance of a well-known label key equal to {@code key}, or {@code key} itself: an image's keys and the
     * required ones are then the same strings, and every look-up of every review compares them by identity.
     */
    static String canonicalKey(String key) {
        String known = key == null ? null : WELL_KNOWN.get(key);
        return known != null ? known : key;
    }

    @Override
    public String id() {
        return ID;
    }

    /** The label keys every image must carry, as configured. */
    public List<String> required() {
        return required;
    }

    @Override
    public boolean readsImage() {
        return true;
    }

    @Override
    public void evaluate(PodView pod, ImageLookup images, Findings out) {
        PlatformGroups.eachImage(pod, images, out, p -> {
            List<String> missing = null;
            for (String k : required) {
                if (!p.verdict().hasKey(k)) {
                    if (missing == null) {
                        missing = new ArrayList<>(required.size());
                    }
                    missing.add(k);
                }
            }
            return Optional.ofNullable(missing);
        }, (c, g) -> out.violation(c, c.field("image"),
                c.subject() + " lacks the OCI label" + (g.outcome().size() > 1 ? "s " : " ")
                        + String.join(", ", g.outcome()) + g.suffix(),
                "add " + (g.outcome().size() > 1 ? "them" : "it") + " when building, e.g. LABEL " + g.outcome().get(0)
                        + "=\"...\" in the Dockerfile or docker buildx build --label/--annotation"));
    }
}
