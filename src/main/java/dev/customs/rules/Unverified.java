package dev.customs.rules;

/**
 * A rule could not decide on a container because its image could not be inspected. Rules report this instead of
 * guessing; the engine folds all of them for one image into one {@code [image-unverified]} finding.
 *
 * @param rule the rule that needed the image
 * @param container the container whose image it is
 * @param reason why the image could not be inspected
 */
public record Unverified(String rule, ContainerView container, String reason) {
}
