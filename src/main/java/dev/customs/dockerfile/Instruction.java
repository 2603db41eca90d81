package dev.customs.dockerfile;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One parsed Dockerfile instruction. Arguments keep their raw text and their position; quotes, escapes and variables
 * are processed when a stage is evaluated, because what {@code $VERSION} means depends on the {@code ARG}s and
 * {@code ENV}s before it.
 */
public sealed interface Instruction {

    /** The keyword in upper case: {@code FROM}, {@code RUN}, ... */
    String keyword();

    /** Where the keyword starts. */
    Position position();

    /** The last line the instruction occupies, continuation lines and here-documents included. */
    int endLine();

    /** The builder flags ({@code --from=...}, {@code --mount=...}) in the order written. */
    List<Flag> flags();

    /** The first flag named {@code name}. */
    default Optional<Flag> flag(String name) {
        return flags().stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** Every flag named {@code name} ({@code --mount} may be given several times). */
    default List<Flag> flags(String name) {
        return flags().stream().filter(f -> f.name().equals(name)).toList();
    }

    /** {@code FROM [--platform=...] image [AS name]}; {@code alias} is null without {@code AS}. */
    record From(Position position, int endLine, List<Flag> flags, Word image, Word alias) implements Instruction {
        @Override
        public String keyword() {
            return "FROM";
        }

        /** The stage name, lowercase as BuildKit compares it, or null. */
        public String stageName() {
            return alias == null ? null : alias.text().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code ARG NAME[=default] ...}. */
    record Arg(Position position, int endLine, List<Flag> flags, List<Declaration> declarations)
            implements
                Instruction {
        @Override
        public String keyword() {
            return "ARG";
        }
    }

    /** One declaration of an {@code ARG}; {@code value} is null when no default is given ({@code ARG NAME}). */
    record Declaration(Word name, Word value) {
    }

    /** {@code ENV} or {@code LABEL}: {@code key=value ...}, or the legacy {@code KEY value} form. */
    record KeyValues(String keyword, Position position, int endLine, List<Flag> flags, List<Pair> pairs)
            implements
                Instruction {
    }

    /** One pair of an {@code ENV} or {@code LABEL}. */
    record Pair(Word key, Word value) {
    }

    /** {@code USER user[:group]}. */
    record User(Position position, int endLine, List<Flag> flags, Word user) implements Instruction {
        @Override
        public String keyword() {
            return "USER";
        }
    }

    /** {@code CMD}, {@code ENTRYPOINT}, {@code RUN} or {@code SHELL}, in exec (JSON) or shell form. */
    record Command(String keyword, Position position, int endLine, List<Flag> flags, CommandLine line,
            List<Heredoc> heredocs) implements Instruction {
    }

    /** {@code COPY} or {@code ADD}: sources and a destination, whitespace-separated or as a JSON array. */
    record Copy(String keyword, Position position, int endLine, List<Flag> flags, List<Word> sources,
            Word destination, List<Heredoc> heredocs) implements Instruction {
    }

    /** {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [options] CMD command}; {@code command} is empty for NONE. */
    record Healthcheck(Position position, int endLine, List<Flag> flags, Word type, CommandLine command)
            implements
                Instruction {
        @Override
        public String keyword() {
            return "HEALTHCHECK";
        }
    }

    /** {@code ONBUILD <instruction>}: runs in images built FROM this one, not in this one. */
    record Onbuild(Position position, int endLine, List<Flag> flags, Instruction trigger) implements Instruction {
        @Override
        public String keyword() {
            return "ONBUILD";
        }
    }

    /** {@code WORKDIR}, {@code EXPOSE}, {@code VOLUME}, {@code STOPSIGNAL} or {@code MAINTAINER}. */
    record Other(String keyword, Position position, int endLine, List<Flag> flags, List<Word> args)
            implements
                Instruction {
    }

    /**
     * The command of a {@code CMD}, {@code ENTRYPOINT}, {@code RUN}, {@code SHELL} or {@code HEALTHCHECK}: in exec form
     * ({@code json}) one word per array element, decoded; in shell form one word with the command text as written.
     * Empty when the instruction has no arguments.
     */
    record CommandLine(boolean json, List<Word> args) {

        public static final CommandLine EMPTY = new CommandLine(false, List.of());

        public CommandLine {
            args = List.copyOf(args);
        }

        /** The shell-form text, or null in exec form. */
        public Word shellText() {
            return json || args.isEmpty() ? null : args.get(0);
        }
    }
}
