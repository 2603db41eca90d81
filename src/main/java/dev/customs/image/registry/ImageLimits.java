package dev.customs.image.registry;

import dev.customs.image.registry.RegistryFailure.Kind;

/**
 * How much of an image Customs keeps. A registry is chosen by whoever writes the pod spec, so it may serve an index of
 * 30,000 platforms or a config of 600,000 {@code Env} entries within the byte limits of manifests and configs; kept in
 * the cache and walked by the rules on every review, such an image would cost memory and CPU out of all proportion. An
 * image over any of these limits is unavailable with a reason that names the limit: never silently truncated, since a
 * rule would then pass on what it did not see. Real images stay far below them.
 */
final class ImageLimits {

    /** Entries of an image index (platforms and attestations together). */
    static final int INDEX_ENTRIES = 256;
    /** Layers of an image manifest (Docker's own builds stop at 127). */
    static final int LAYERS = 1024;
    /** Annotations of one manifest, index or index entry. */
    static final int ANNOTATIONS = 256;
    /** {@code Env} entries of an image config. */
    static final int ENV = 1024;
    /** Labels of an image config. */
    static final int LABELS = 1024;
    /** {@code Entrypoint} and {@code Cmd} arguments of an image config, each. */
    static final int ARGUMENTS = 1024;
    /** Entries of the build {@code history} of an image config. */
    static final int HISTORY = 1024;
    /** Characters of text an image config keeps in all of the above, together. */
    static final long TEXT = 1024 * 1024;
    /** Characters of text a manifest keeps in annotations, digests and media types, together. */
    static final long MANIFEST_TEXT = 256 * 1024;

    private ImageLimits() {
    }

    /** The failure for an image over a count: {@code the image config has 600000 Env entries, more than ...}. */
    static RegistryFailure over(String what, long count, long limit, String unit) {
        return new RegistryFailure(Kind.INVALID,
                what + " has " + count + " " + unit + ", more than the " + limit + " Customs keeps of an image");
    }

    /** Counts the characters kept, and fails as soon as they exceed the limit. */
    static final class Text {
        private final String what;
        private final String fields;
        private final long limit;
        private long chars;

        /** {@code fields} names what is counted, for the failure: "its environment, labels, ...". */
        Text(String what, String fields, long limit) {
            this.what = what;
            this.fields = fields;
            this.limit = limit;
        }

        String add(String s) {
            chars += s == null ? 0 : s.length();
            if (chars > limit) {
                throw new RegistryFailure(Kind.INVALID, what + " has more than " + limit / 1024 + " KiB of text in "
                        + fields + ", more than Customs keeps of an image");
            }
            return s;
        }
    }
}
