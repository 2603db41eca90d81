package dev.customs.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what one rule finds on one pod. Not thread-safe: one instance per rule evaluation, or, in the
 * {@link RuleEngine}, one per review that every rule in turn adds to.
 */
public final class Findings {

    private String rule;
    private final List<Violation> violations;
    private final List<Unverified> unverified;

    public Findings(String rule) {
        this(new ArrayList<>(), new ArrayList<>());
        this.rule = rule;
    }

    /** Findings that go to the given lists, for the rule last {@link #of(String) set}. */
    Findings(List<Violation> violations, List<Unverified> unverified) {
        this.violations = violations;
        this.unverified = unverified;
    }

    /** What is reported from now on is rule {@code id}'s. */
    Findings of(String id) {
        this.rule = id;
        return this;
    }

    /** Reports a violation of this rule about one container. */
    public void violation(ContainerView container, String field, String problem, String fix) {
        violations.add(new Violation(rule, container.name(), container.image(), field, problem, fix));
    }

    /** Reports a pod-level violation of this rule. */
    public void podViolation(String field, String problem, String fix) {
        violations.add(new Violation(rule, null, null, field, problem, fix));
    }

    /** Reports that this rule could not check a container because its image is not available. */
    public void unverified(ContainerView container, ImageFacts facts) {
        if (facts instanceof ImageFacts.Unavailable u) {
            unverified.add(new Unverified(rule, container, u.reason()));
        }
    }

    public List<Violation> violations() {
        return violations;
    }

    public List<Unverified> unverified() {
        return unverified;
    }
}
