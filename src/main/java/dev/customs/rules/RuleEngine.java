package dev.customs.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Runs rules over a pod view, in registry order, and folds every rule's unverified containers into one
 * {@link ImageUnverified} per image. Stateless and thread-safe.
 */
public final class RuleEngine {

    private final RuleRegistry registry;

    public RuleEngine(RuleRegistry registry) {
        this.registry = registry;
    }

    public RuleRegistry registry() {
        return registry;
    }

    /** True when any of the selected rules reads image facts. */
    public boolean needsImages(Predicate<String> active) {
        for (Rule r : registry.all()) {
            if (r.enabled() && active.test(r.id()) && r.readsImage()) {
                return true;
            }
        }
        return false;
    }

    /** True when a rule is registered and its settings give it something to check ({@link Rule#enabled()}). */
    public boolean evaluates(String id) {
        return registry.ids().contains(id) && registry.get(id).enabled();
    }

    /** Evaluates every rule for which {@code active} holds. */
    public Evaluation evaluate(PodView pod, ImageLookup images, Predicate<String> active) {
        List<Violation> violations = new ArrayList<>();
        List<Unverified> all = new ArrayList<>();
        // one collector for every rule, each rule's findings after the one before's: what the lists would be if each
        // rule had its own, joined in registry order, without a pair of lists per rule and review
        Findings out = new Findings(violations, all);
        for (Rule rule : registry.all()) {
            if (!rule.enabled() || !active.test(rule.id())) {
                continue;
            }
            rule.evaluate(pod, images, out.of(rule.id()));
        }
        if (all.isEmpty()) {
            return new Evaluation(violations, List.of());
        }
        Map<String, List<Unverified>> byImage = new LinkedHashMap<>();
        for (Unverified u : all) {
            String image = u.container().image() == null ? "<none>" : u.container().image();
            byImage.computeIfAbsent(image, k -> new ArrayList<>()).add(u);
        }
        List<ImageUnverified> unverified = new ArrayList<>();
        byImage.forEach((image, list) -> {
            Set<ContainerView> containers = new LinkedHashSet<>();
            Set<String> rules = new LinkedHashSet<>();
            list.forEach(u -> {
                containers.add(u.container());
                rules.add(u.rule());
            });
            unverified.add(new ImageUnverified(image, list.get(0).reason(), List.copyOf(containers), List.copyOf(rules)));
        });
        return new Evaluation(violations, unverified);
    }
}
