package dev.customs.rules;

import java.util.List;

/**
 * What the rules found on one pod: violations, and images that could not be checked. Pure data; what each finding
 * does (deny, warn, record) is the policy layer's decision.
 */
public record Evaluation(List<Violation> violations, List<ImageUnverified> unverified) {

    public static final Evaluation EMPTY = new Evaluation(List.of(), List.of());

    public Evaluation {
        violations = List.copyOf(violations);
        unverified = List.copyOf(unverified);
    }

    public boolean clean() {
        return violations.isEmpty() && unverified.isEmpty();
    }
}
