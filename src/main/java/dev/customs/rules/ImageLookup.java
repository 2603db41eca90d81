package dev.customs.rules;

/**
 * How rules read image facts: per container, already resolved before evaluation. Rules never fetch; all I/O happens
 * before the rules run.
 */
@FunctionalInterface
public interface ImageLookup {

    ImageFacts factsFor(ContainerView container);

    /** A lookup for evaluations where no image was resolved. */
    ImageLookup NONE = c -> ImageFacts.NOT_NEEDED;
}
