package dev.customs.rules;

import java.util.List;
import java.util.Optional;

/**
 * {@code non-root-conflict}: {@code runAsNonRoot: true} with no {@code runAsUser}, on an image whose user is root or a
 * name. The kubelet checks the image user before starting the container and fails it with
 * {@code CreateContainerConfigError}: root is refused outright, and a non-numeric user cannot be verified.
 *
 * <p>
 * Reads each container's effective {@code runAsUser}/{@code runAsNonRoot} and the image config's {@code User}. Windows
 * pods pass.
 */
public final class NonRootConflict implements Rule {

    public static final String ID = "non-root-conflict";

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
        if (pod.windows()) {
            return;
        }
        List<ContainerView> containers = pod.containers();
        for (int i = 0; i < containers.size(); i++) { // indexed: an iterator per rule and review is garbage
            ContainerView c = containers.get(i);
            EffectiveUser eu = EffectiveUser.of(pod, c);
            if (eu.uid() != null || !eu.nonRootRequired()) {
                continue;
            }
            ImageFacts facts = images.factsFor(c);
            if (!(facts instanceof ImageFacts.Resolved resolved)) {
                out.unverified(c, facts);
                continue;
            }
            for (var g : PlatformGroups.of(resolved, p -> {
                ImageVerdict.User user = p.verdict().user();
                return switch (user.kind()) {
                    case ROOT -> Optional.of(ImageUser.describe(user.raw())
                            + "; the kubelet refuses to start it (\"container has runAsNonRoot and image will run as root\")");
                    case NAMED -> Optional.of("the image's USER \"" + user.raw()
                            + "\" is not numeric, so the kubelet cannot verify it is non-root and refuses to start it");
                    case NUMERIC_NON_ROOT -> Optional.<String> empty();
                };
            })) {
                out.violation(c, c.field("securityContext.runAsUser"), c.subject() + " will fail with "
                        + "CreateContainerConfigError" + g.suffix() + ": " + eu.nonRootField()
                        + " is true, runAsUser is not set and " + g.outcome(),
                        "set securityContext.runAsUser to a non-zero numeric uid (the uid of the image's non-root "
                                + "user, e.g. runAsUser: 10001), or build the image with a numeric non-root USER "
                                + "(USER 10001)");
            }
        }
    }
}
