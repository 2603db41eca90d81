package dev.customs.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * A parsed Dockerfile: its parser directives, its escape character and its instructions in order, each with its
 * position. Built by {@link DockerfileParser}; evaluated by {@link StageEvaluator}.
 *
 * @param file the name the file is reported under
 * @param escape the escape character: {@code \} or, with {@code # escape=`}, a backtick
 * @param directives the parser directives
 * @param instructions the instructions, {@code ARG}s before the first {@code FROM} included
 */
public record Dockerfile(String file, char escape, List<Directive> directives, List<Instruction> instructions) {

    public Dockerfile {
        directives = List.copyOf(directives);
        instructions = List.copyOf(instructions);
    }

    /** The {@code syntax} directive's value (the frontend image), when there is one. */
    public Optional<String> syntax() {
        return directives.stream().filter(d -> d.name().equals("syntax")).map(Directive::value).findFirst();
    }
}
