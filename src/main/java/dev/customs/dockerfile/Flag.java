package dev.customs.dockerfile;

/**
 * A builder flag such as {@code --from=build} or {@code --mount=type=secret,id=npm}: its name without the dashes, its
 * value as written (quotes removed, variables not yet expanded), or null for a flag without {@code =}.
 */
public record Flag(String name, String value, Position position) {
}
