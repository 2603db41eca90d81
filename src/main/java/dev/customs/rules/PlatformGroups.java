package dev.customs.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Evaluates an image check on every platform of a resolved image and groups platforms with the same outcome, so a
 * finding that holds on every platform is reported once without naming platforms, and one that holds on some names
 * them ({@code (on linux/amd64)}).
 */
final class PlatformGroups {

    private PlatformGroups() {
    }

    /** One outcome and the platforms it holds on; {@code suffix} is empty when it holds on all of them. */
    record Group<T>(T outcome, List<Platform> platforms, String suffix) {
    }

    /**
     * Runs a per-platform image check on every container in scope: a container whose image is not resolved is
     * reported unverified; otherwise {@code report} gets each distinct outcome with the platforms it holds on.
     */
    static <T> void eachImage(PodView pod, ImageLookup images, Findings out, Function<PlatformImage, Optional<T>> check,
            BiConsumer<ContainerView, Group<T>> report) {
        for (ContainerView c : pod.containers()) {
            ImageFacts facts = images.factsFor(c);
            if (facts instanceof ImageFacts.Resolved resolved) {
                of(resolved, check).forEach(g -> report.accept(c, g));
            } else {
                out.unverified(c, facts);
            }
        }
    }

    static <T> List<Group<T>> of(ImageFacts.Resolved image, Function<PlatformImage, Optional<T>> check) {
        if (image.platforms().size() == 1) {
            // one platform, one group: nothing to compare (outcomes are records of lists, hashed anew every time)
            PlatformImage p = image.platforms().get(0);
            return check.apply(p).map(o -> List.of(new Group<>(o, List.of(p.platform()), ""))).orElse(List.of());
        }
        Map<T, List<Platform>> byOutcome = new LinkedHashMap<>();
        for (PlatformImage p : image.platforms()) {
            check.apply(p).ifPresent(o -> byOutcome.computeIfAbsent(o, k -> new ArrayList<>()).add(p.platform()));
        }
        List<Group<T>> groups = new ArrayList<>();
        int all = image.platforms().size();
        byOutcome.forEach((outcome, platforms) -> groups.add(new Group<>(outcome, platforms, platforms.size() == all
                ? ""
                : " (on " + platforms.stream().map(Platform::toString).collect(Collectors.joining(", ")) + ")")));
        return groups;
    }
}
