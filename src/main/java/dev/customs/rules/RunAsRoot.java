package dev.customs.rules;

import java.util.List;
import java.util.Optional;

/**
 * {@code run-as-root}: a container whose effective user is root.
 *
 * <p>
 * Reads {@code securityContext.runAsUser} and {@code runAsNonRoot} of each container (falling back to the pod's), and
 * the image config's {@code User}. An effective {@code runAsUser: 0} fails wherever it was set, even with
 * {@code runAsNonRoot: true}. Any other uid passes. With no uid, {@code runAsNonRoot: true} passes (the kubelet then
 * refuses root, see {@link NonRootConflict}); otherwise the image user decides: {@code ""}, {@code 0}, {@code root},
 * {@code 0:<g>}, {@code root:<g>} fail. Windows pods and pods in a user namespace ({@code hostUsers: false}) pass.
 */
public final class RunAsRoot implements Rule {

    public static final String ID = "run-as-root";

    private static final String FIX = "set securityContext.runAsNonRoot: true and runAsUser to a non-zero uid "
            + "(e.g. 10001), and build the image with a numeric USER (USER 10001 in the Dockerfile)";

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
        if (pod.windows() || pod.userNamespace()) {
            return;
        }
        List<ContainerView> containers = pod.containers();
        for (int i = 0; i < containers.size(); i++) { // indexed: an iterator per rule and review is garbage
            ContainerView c = containers.get(i);
            EffectiveUser eu = EffectiveUser.of(pod, c);
            if (eu.uid() != null) {
                if (eu.uid() == 0) {
                    out.violation(c, eu.uidField(), c.subject() + " runs as root: runAsUser is 0 (" + eu.uidField()
                            + ")", "set runAsUser to a non-zero uid (e.g. 10001) and runAsNonRoot: true");
                }
                continue;
            }
            if (eu.nonRootRequired()) {
                continue;
            }
            ImageFacts facts = images.factsFor(c);
            if (facts instanceof ImageFacts.Resolved resolved) {
                for (var g : PlatformGroups.of(resolved, p -> p.verdict().user().root()
                        ? Optional.of(p.verdict().user().raw())
                        : Optional.empty())) {
                    out.violation(c, c.field("image"), c.subject() + " runs as root" + g.suffix() + ": "
                            + ImageUser.describe(g.outcome()) + " and runAsUser is not set", FIX);
                }
            } else {
                out.unverified(c, facts);
            }
        }
    }
}
