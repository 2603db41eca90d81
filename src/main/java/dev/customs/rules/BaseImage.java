package dev.customs.rules;

/**
 * {@code base-image}: an image that records its base image by a tag without a digest. With only a tag
 * ({@code node:20}, or worse {@code node:latest}), nobody can tell which build of the base the image contains, so
 * nobody can tell whether it has the base's latest fixes, and rebuilding the same commit may give another image.
 *
 * <p>
 * Reads the base the image records, {@code org.opencontainers.image.base.name} and {@code .base.digest}, from the
 * manifest and index annotations or, failing those, the config labels ({@link ImageVerdict#base()}). A base pinned by
 * {@code .base.digest} or by a digest in the name passes; so does an image that records no base name at all. A name
 * that is not a valid reference fails, saying so. A tag that {@code latest-tag} treats as moving ({@code latest}, or
 * as configured in {@code customs.rules."latest-tag".moving-tags}) is named as moving in the message.
 */
public final class BaseImage implements Rule {

    public static final String ID = "base-image";

    private final LatestTag latest;

    /** With {@code latest-tag}'s default moving tags. */
    public BaseImage() {
        this(new LatestTag());
    }

    /** @param latest the {@code latest-tag} rule whose moving tags a recorded base's tag is compared with */
    public BaseImage(LatestTag latest) {
        this.latest = latest;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean readsImage() {
        return true;
    }

    @Override
    public void evaluate(PodView pod, ImageLookup images, Findings out) {
        PlatformGroups.eachImage(pod, images, out, p -> p.verdict().base()
                .filter(b -> b.name() != null && !b.pinned()).map(this::why),
                (c, g) -> out.violation(c, c.field("image"), c.subject() + " records its base image" + g.suffix()
                        + " as " + g.outcome(),
                        "pin the base by digest when building (FROM <image>:<tag>@sha256:<digest>) and record it: "
                                + ImageVerdict.BASE_DIGEST + "=sha256:<digest> beside " + ImageVerdict.BASE_NAME
                                + " (as an annotation, docker buildx build --annotation, or a label)"));
    }

    /** What is wrong with a recorded base name that no digest pins. */
    private String why(ImageVerdict.Base base) {
        ImageReference r = base.reference();
        String name = "\"" + shorten(base.name()) + "\"";
        if (!r.valid()) {
            return name + ", which is not a valid image reference (" + r.error() + "), and records no base digest";
        }
        if (r.tag() == null) {
            return name + " with neither tag nor digest, so it was whatever \"latest\" pointed to at build time";
        }
        if (latest.moving(r.tag())) {
            return name + ", by the moving \"" + r.tag() + "\" tag and no digest, so nobody can tell which build of it the "
                    + "image contains";
        }
        return name + " by its tag only, without " + ImageVerdict.BASE_DIGEST + ", so nobody can tell which build "
                + "of " + r.writtenName() + ":" + r.tag() + " the image contains (tags move)";
    }

    private static String shorten(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 120 ? t.substring(0, 119) + "…" : t;
    }
}
