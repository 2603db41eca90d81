package dev.customs.rules;

/**
 * One rule's finding on one part of a pod. The message shown to users is built only here, so every rule's wording has
 * the same shape: {@code [<rule-id>] <problem>: <fix>}.
 *
 * @param rule the rule id
 * @param container the container's name, or null for a pod-level finding
 * @param image the image as written, or null for a finding that is not about one image
 * @param field the field path the finding points at ({@code spec.containers[0].image})
 * @param problem what is wrong, naming the container and image
 * @param fix how to fix it
 */
public record Violation(String rule, String container, String image, String field, String problem, String fix) {

    /** The single line shown to users. */
    public String message() {
        return "[" + rule + "] " + problem + ": " + fix;
    }

    @Override
    public String toString() {
        return message();
    }
}
