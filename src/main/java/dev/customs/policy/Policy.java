package dev.customs.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageUnverified;
import dev.customs.rules.RuleRegistry;
import dev.customs.rules.Violation;

/**
 * Decides what each finding does: the configured action of its rule ({@code customs.rules."<id>".action}, enforce by
 * default), and {@code customs.registry.on-error} for images that could not be inspected.
 */
public final class Policy {

    private final Map<String, Action> actions;
    private final OnError onError;

    /**
     * @param actions the action per rule id; a rule missing here enforces
     * @param onError what an unverified image does
     */
    public Policy(Map<String, Action> actions, OnError onError) {
        for (String id : actions.keySet()) {
            if (!RuleRegistry.IDS.contains(id)) {
                throw new IllegalArgumentException(
                        "customs.rules.\"" + id + "\": unknown rule id; known ids are " + RuleRegistry.IDS);
            }
        }
        this.actions = Map.copyOf(actions);
        this.onError = onError;
    }

    /** Every rule enforces; unverified images warn. */
    public static Policy enforceAll() {
        return new Policy(Map.of(), OnError.WARN);
    }

    public Action actionFor(String rule) {
        return actions.getOrDefault(rule, Action.ENFORCE);
    }

    /** The rules to evaluate: those whose action is not off. */
    public Predicate<String> active() {
        return id -> actionFor(id) != Action.OFF;
    }

    public OnError onError() {
        return onError;
    }

    public Decision decide(Evaluation evaluation) {
        List<Violation> denied = new ArrayList<>();
        List<Violation> warned = new ArrayList<>();
        List<Violation> audited = new ArrayList<>();
        for (Violation v : evaluation.violations()) {
            switch (actionFor(v.rule())) {
                case ENFORCE -> denied.add(v);
                case WARN -> warned.add(v);
                case AUDIT -> audited.add(v);
                case OFF -> {
                }
            }
        }
        List<ImageUnverified> unverified = evaluation.unverified();
        return new Decision(denied, warned, audited, onError == OnError.DENY ? unverified : List.of(),
                onError == OnError.WARN ? unverified : List.of());
    }
}
