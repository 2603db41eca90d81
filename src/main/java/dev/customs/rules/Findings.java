package dev.customs.rules;

import java.util.ArrayList;
import java.util.List;

/** Collects what one rule finds on one pod. Not thread-safe: one instance per rule evaluation. */
public final class Findings {

    private final String rule;
    private final List<Violation> violations = new ArrayList<>();
    private final List<Unverified> unverified = new ArrayList<>();

    public Findings(String rule) {
        this.rule = rule;
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
