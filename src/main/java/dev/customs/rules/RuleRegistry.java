package dev.customs.rules;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules Customs knows, by id. Built once at start-up; fails fast on a duplicate or unknown id, so a rule that is
 * misnamed never silently stops being enforced.
 */
public final class RuleRegistry {

    /** The public rule ids of DESIGN.md, in the order messages list them. */
    public static final List<String> IDS = List.of(RunAsRoot.ID, NonRootConflict.ID, HostNetwork.ID, DockerSocket.ID,
            LatestTag.ID, OciLabels.ID, ShellFormEntrypoint.ID, LeakedSecret.ID, ImageSize.ID, BaseImage.ID);

    private final Map<String, Rule> rules;
    private final List<Rule> ordered;

    public RuleRegistry(Collection<? extends Rule> rules) {
        Map<String, Rule> byId = new LinkedHashMap<>();
        for (Rule r : rules) {
            if (!IDS.contains(r.id())) {
                throw new IllegalArgumentException("rule id \"" + r.id() + "\" is not one of " + IDS);
            }
            if (byId.putIfAbsent(r.id(), r) != null) {
                throw new IllegalArgumentException("rule id \"" + r.id() + "\" is registered twice");
            }
        }
        this.rules = Map.copyOf(byId);
        this.ordered = IDS.stream().filter(this.rules::containsKey).map(this.rules::get).toList();
    }

    /** Every rule with its default settings ({@code image-size} off). */
    public static RuleRegistry defaults() {
        return withSettings(List.of(), OciLabels.DEFAULT_REQUIRED);
    }

    /** Every rule with configured settings, {@code image-size} off. */
    public static RuleRegistry withSettings(Collection<String> extraSocketPaths, List<String> requiredLabels) {
        return withSettings(extraSocketPaths, requiredLabels, LatestTag.DEFAULT_MOVING_TAGS, null);
    }

    /** Every rule with configured settings, including the tags {@code latest-tag} treats as moving; image-size off. */
    public static RuleRegistry withSettings(Collection<String> extraSocketPaths, List<String> requiredLabels,
            List<String> movingTags) {
        return withSettings(extraSocketPaths, requiredLabels, movingTags, null);
    }

    /**
     * Every rule with configured settings and the default moving tags.
     *
     * @param imageMaxSize {@code image-size}'s limit as configured ({@code 500MB}), or null for off
     * @throws IllegalArgumentException when a setting is invalid
     */
    public static RuleRegistry withSettings(Collection<String> extraSocketPaths, List<String> requiredLabels,
            String imageMaxSize) {
        return withSettings(extraSocketPaths, requiredLabels, LatestTag.DEFAULT_MOVING_TAGS, imageMaxSize);
    }

    /**
     * Every rule with configured settings. {@code base-image} treats a recorded base by one of {@code latest-tag}'s
     * moving tags as moving, as {@code latest-tag} does.
     *
     * @param movingTags the tags {@code latest-tag} treats as moving, exact or with {@code *}
     * @param imageMaxSize {@code image-size}'s limit as configured ({@code 500MB}), or null for off
     * @throws IllegalArgumentException when a setting is invalid
     */
    public static RuleRegistry withSettings(Collection<String> extraSocketPaths, List<String> requiredLabels,
            List<String> movingTags, String imageMaxSize) {
        LatestTag latest = new LatestTag(movingTags);
        return new RuleRegistry(List.of(new RunAsRoot(), new NonRootConflict(), new HostNetwork(),
                new DockerSocket(extraSocketPaths), latest, new OciLabels(requiredLabels), new ShellFormEntrypoint(),
                new LeakedSecret(), new ImageSize(imageMaxSize), new BaseImage(latest)));
    }

    /** The rules in {@link #IDS} order. */
    public List<Rule> all() {
        return ordered;
    }

    public Rule get(String id) {
        Rule r = rules.get(id);
        if (r == null) {
            throw new IllegalArgumentException("unknown rule id \"" + id + "\"");
        }
        return r;
    }

    public Set<String> ids() {
        return rules.keySet();
    }
}
