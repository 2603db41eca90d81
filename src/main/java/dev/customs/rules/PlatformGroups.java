package dev.customs.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    /**
     * One outcome and where it holds: {@code suffix} names the platforms ({@code " (on linux/amd64)"}), or is empty when
     * it holds on all of them.
     */
    record Group<T>(T outcome, String suffix) {
    }

    /**
     * Runs a per-platform image check on every container in scope: a container whose image is not resolved is
     * reported unverified; otherwise {@code report} gets each distinct outcome with the platforms it holds on.
     */
    static <T> void eachImage(PodView pod, ImageLookup images, Findings out, Function<PlatformImage, Optional<T>> check,
            BiConsumer<ContainerView, Group<T>> report) {
        List<ContainerView> containers = pod.containers();
        for (int i = 0; i < containers.size(); i++) { // indexed: an iterator per rule and review is garbage
            ContainerView c = containers.get(i);
            ImageFacts facts = images.factsFor(c);
            if (facts instanceof ImageFacts.Resolved resolved) {
                for (Group<T> g : of(resolved, check)) {
                    report.accept(c, g);
                }
            } else {
                out.unverified(c, facts);
            }
        }
    }

    static <T> Group<T>[] of(ImageFacts.Resolved image, Function<PlatformImage, Optional<T>> check) {
        List<PlatformImage> platforms = image.platforms();
        T first = check.apply(platforms.get(0)).orElse(null);
        int all = platforms.size();
        // most images give every platform the same outcome: compared with the first, not hashed (outcomes are
        // records of lists, hashed anew every time), and grouped by a map only when they differ
        List<T> outcomes = null;
        for (int i = 1; i < all; i++) {
            T o = check.apply(platforms.get(i)).orElse(null);
            if (outcomes == null && !Objects.equals(o, first)) {
                outcomes = new ArrayList<>(all);
                for (int j = 0; j < i; j++) {
                    outcomes.add(first);
                }
            }
            if (outcomes != null) {
                outcomes.add(o);
            }
        }
        if (outcomes == null) {
            return first == null ? none() : groups(new Group<>(first, ""));
        }
        Map<T, List<Platform>> byOutcome = new LinkedHashMap<>();
        for (int i = 0; i < all; i++) {
            T o = outcomes.get(i);
            if (o != null) {
                byOutcome.computeIfAbsent(o, k -> new ArrayList<>()).add(platforms.get(i).platform());
            }
        }
        List<Group<T>> groups = new ArrayList<>();
        byOutcome.forEach((outcome, on) -> groups.add(new Group<>(outcome, on.size() == all
                ? ""
                : " (on " + on.stream().map(Platform::toString).collect(Collectors.joining(", ")) + ")")));
        return groups.toArray(none());
    }

    // an array, not a list: the rules walk the groups of every container of every review, and a for-each over an
    // array makes no iterator
    private static final Group<?>[] NONE = {};

    @SuppressWarnings("unchecked")
    private static <T> Group<T>[] none() {
        return (Group<T>[]) NONE;
    }

    @SafeVarargs
    private static <T> Group<T>[] groups(Group<T>... groups) {
        return groups;
    }
}
