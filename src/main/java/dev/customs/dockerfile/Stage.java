package dev.customs.dockerfile;

import java.util.List;

/**
 * One build stage: a {@code FROM} and the instructions up to the next one.
 *
 * @param index the stage's index in the file, from 0 (what {@code COPY --from=0} refers to)
 * @param name the stage name of {@code FROM ... AS name}, lowercase, or null
 * @param from the stage's {@code FROM}
 * @param instructions the instructions after it, in order
 */
public record Stage(int index, String name, Instruction.From from, List<Instruction> instructions) {

    public Stage {
        instructions = List.copyOf(instructions);
    }

    /** How messages name the stage: {@code stage "app" (FROM node:20)}, or {@code stage 2 (FROM node:20)}. */
    public String subject() {
        return label() + " (FROM " + DockerfileParser.printable(from.image().text()) + ")";
    }

    /** The stage's name alone: {@code stage "app"}, or {@code stage 2} (counted from 1) when it has none. */
    public String label() {
        return name != null ? "stage \"" + name + "\"" : "stage " + (index + 1);
    }
}
