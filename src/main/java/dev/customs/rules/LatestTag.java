package dev.customs.rules;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code latest-tag}: an image that is not pinned. Reads each container's {@code image}, parsed with the distribution
 * grammar. Fails on a moving tag ({@code latest} by default; {@code customs.rules."latest-tag".moving-tags} adds
 * others such as {@code main}, {@code edge}, {@code nightly}, with {@code *} matching any characters), on a reference
 * with neither tag nor digest (which pulls {@code latest}), and on a reference that is not valid at all. A digest pins
 * the image, so {@code app@sha256:…} and {@code app:latest@sha256:…} pass. A registry port is not a tag:
 * {@code localhost:5000/app} has none. Tags are case-sensitive, as registries treat them.
 */
public final class LatestTag implements Rule {

    public static final String ID = "latest-tag";

    /** The tags that move unless configured otherwise. */
    public static final List<String> DEFAULT_MOVING_TAGS = List.of("latest");

    private final List<String> movingTags;
    /** The moving tags without {@code *}, compared as they are. */
    private final Set<String> exact;
    /** The moving tags with {@code *}, as patterns. */
    private final List<Pattern> patterns;

    public LatestTag() {
        this(DEFAULT_MOVING_TAGS);
    }

    /** @param movingTags the tags that count as moving, exact or with {@code *}; empty means the default */
    public LatestTag(List<String> movingTags) {
        this.movingTags = movingTags.isEmpty() ? DEFAULT_MOVING_TAGS
                : movingTags.stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
        this.exact = this.movingTags.stream().filter(t -> t.indexOf('*') < 0).collect(Collectors.toUnmodifiableSet());
        this.patterns = this.movingTags.stream().filter(t -> t.indexOf('*') >= 0).map(LatestTag::glob).toList();
    }

    private static Pattern glob(String tag) {
        StringBuilder re = new StringBuilder();
        for (String part : tag.split("\\*", -1)) {
            if (re.length() > 0) {
                re.append(".*");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    /** The tags that count as moving. */
    public List<String> movingTags() {
        return movingTags;
    }

    /** True when a tag is one of the moving tags. */
    public boolean moving(String tag) {
        if (exact.contains(tag)) {
            return true;
        }
        for (Pattern p : patterns) {
            if (p.matcher(tag).matches()) {
                return true;
            }
        }
        return false;
    }

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
        List<ContainerView> containers = pod.containers();
        for (int i = 0; i < containers.size(); i++) { // indexed: an iterator per rule and review is garbage
            ContainerView c = containers.get(i);
            ImageReference ref = c.reference();
            if (!ref.valid()) {
                out.violation(c, c.field("image"),
                        c.subject() + " has an invalid image reference: " + ref.error(),
                        "write the image as [registry/]repository:tag[@sha256:digest] in lowercase, "
                                + "e.g. registry.example.com/team/app:1.4.2");
            } else if (ref.digest() == null && ref.tag() == null) {
                out.violation(c, c.field("image"),
                        c.subject() + " has no tag, so it runs whatever \"latest\" points to when the node pulls it",
                        "pin a version tag, ideally with its digest: " + ref.original() + ":<version>@sha256:<digest>");
            } else if (ref.digest() == null && moving(ref.tag())) {
                out.violation(c, c.field("image"),
                        c.subject() + " uses the \"" + ref.tag() + "\" tag, which moves: nodes may run different code, "
                                + "and a rollback cannot return to the previous version",
                        "pin a version tag, ideally with its digest: " + ref.writtenName()
                                + ":<version>@sha256:<digest>");
            }
        }
    }
}
