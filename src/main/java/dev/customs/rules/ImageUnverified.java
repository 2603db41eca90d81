package dev.customs.rules;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An image that image-dependent rules could not check, with every container that uses it and every rule that needed
 * it. Its message has the fixed shape {@code [image-unverified] <image>: <reason>}.
 *
 * @param image the image as written
 * @param reason why it could not be inspected
 * @param containers the containers that use it
 * @param rules the rules that could not decide, in registry order
 */
public record ImageUnverified(String image, String reason, List<ContainerView> containers, List<String> rules) {

    public static final String ID = "image-unverified";

    public ImageUnverified {
        containers = List.copyOf(containers);
        rules = List.copyOf(rules);
    }

    /** The field path of the first container using the image. */
    public String field() {
        return containers.get(0).field("image");
    }

    public String message() {
        String who = containers.stream().map(c -> c.kind().noun() + " \"" + c.name() + "\"")
                .collect(Collectors.joining(", "));
        return "[" + ID + "] " + image + ": " + reason + " (" + who + " not checked for " + String.join(", ", rules)
                + ")";
    }
}
