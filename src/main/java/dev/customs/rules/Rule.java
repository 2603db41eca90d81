package dev.customs.rules;

/**
 * A check: a pure function of a pod view and the image facts of its containers. A rule does no I/O and keeps no state
 * between calls, so it can be evaluated concurrently and tested without booting anything.
 */
public interface Rule {

    /** The stable, public rule id, such as {@code run-as-root}. */
    String id();

    /** True when the rule reads image facts; only then are images resolved for it. */
    boolean readsImage();

    /**
     * False when the rule's settings leave it nothing to check ({@code image-size} without a limit): it is then not
     * evaluated, and reports do not count it as a rule that passed.
     */
    default boolean enabled() {
        return true;
    }

    /** Evaluates the rule on the containers in the view's scope, reporting into {@code out}. */
    void evaluate(PodView pod, ImageLookup images, Findings out);
}
