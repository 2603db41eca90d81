package dev.customs.rules;

/**
 * {@code latest-tag}: an image that is not pinned. Reads each container's {@code image}, parsed with the distribution
 * grammar. Fails on the tag {@code latest}, on a reference with neither tag nor digest (which pulls {@code latest}), and
 * on a reference that is not valid at all. A digest pins the image, so {@code app@sha256:…} and
 * {@code app:latest@sha256:…} pass. A registry port is not a tag: {@code localhost:5000/app} has none.
 */
public final class LatestTag implements Rule {

    public static final String ID = "latest-tag";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean readsImage() {
        return false;
    }

    @Override
    public void evaluate(PodView pod, ImageLookup images, Findings out) {
        for (ContainerView c : pod.containers()) {
            ImageReference ref = c.reference();
            String field = c.field("image");
            if (!ref.valid()) {
                out.violation(c, field,
                        c.subject() + " has an invalid image reference: " + ref.error(),
                        "write the image as [registry/]repository:tag[@sha256:digest] in lowercase, "
                                + "e.g. registry.example.com/team/app:1.4.2");
            } else if (ref.digest() == null && ref.tag() == null) {
                out.violation(c, field,
                        c.subject() + " has no tag, so it runs whatever \"latest\" points to when the node pulls it",
                        "pin a version tag, ideally with its digest: " + ref.original() + ":<version>@sha256:<digest>");
            } else if (ref.digest() == null && ref.tag().equals("latest")) {
                out.violation(c, field,
                        c.subject() + " uses the \"latest\" tag, which moves: nodes may run different code, "
                                + "and a rollback cannot return to the previous version",
                        "pin a version tag, ideally with its digest: " + ref.writtenName()
                                + ":<version>@sha256:<digest>");
            }
        }
    }
}
