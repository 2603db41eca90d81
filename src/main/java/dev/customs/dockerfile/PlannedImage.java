package dev.customs.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.customs.rules.ImageConfig;
import dev.customs.rules.Platform;

/**
 * The image configuration a stage would build, with the instruction behind every fact: what {@code docker build}
 * would write into the image's config for {@code User}, {@code Entrypoint}, {@code Cmd}, {@code Env}, {@code Labels}
 * and {@code history}, inherited through {@code FROM <earlier stage>}.
 *
 * <p>
 * What the base image of the chain sets is not known to a Dockerfile check. A fact the Dockerfile never sets is null
 * here when the chain starts from a registry image ({@link Base#external()}), and what it is made of is said by
 * {@link #root()}. A fact it sets from something the check cannot know (a build argument without a default) carries
 * {@link Setting#unknown()} reasons.
 *
 * @param stage the stage this is the result of
 * @param base what the stage is built {@code FROM}
 * @param root the base at the bottom of the stage chain: an image from a registry, or {@code scratch}
 * @param user the last {@code USER}, or null when the chain sets none
 * @param entrypoint the {@code ENTRYPOINT} in force, or null when the chain sets none
 * @param cmd the {@code CMD} in force (possibly emptied by an {@code ENTRYPOINT}), or null when the chain sets none
 * @param shell the shell that shell-form instructions run with ({@code /bin/sh -c} unless {@code SHELL} changes it)
 * @param env every {@code ENV} in force, by name
 * @param labels every {@code LABEL} in force, by key
 * @param history one entry per instruction, as a builder records them
 * @param files files that {@code COPY} and {@code ADD} placed in the stage's file system, also through
 *        {@code COPY --from}
 * @param arguments the build arguments declared in the chain
 */
public record PlannedImage(Stage stage, Base base, Base root, Setting user, Process entrypoint, Process cmd, List<String> shell,
        Map<String, Setting> env, Map<String, Setting> labels, List<History> history, List<PlacedFile> files,
        List<Argument> arguments) {

    public PlannedImage {
        shell = List.copyOf(shell);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        history = List.copyOf(history);
        files = List.copyOf(files);
        arguments = List.copyOf(arguments);
    }

    /** What a stage is built on. */
    public sealed interface Base {
        /** True for an image from a registry, whose configuration a Dockerfile check does not know. */
        default boolean external() {
            return this instanceof Image;
        }

        /** {@code FROM scratch}: an empty image with no user, no entrypoint, no environment. */
        record Scratch() implements Base {
        }

        /**
         * An image from a registry.
         *
         * @param reference the reference after substitution; {@link Substitution#UNKNOWN} marks what the build decides
         * @param display the reference as a reader should see it
         * @param unknown why parts of it are unknown
         */
        record Image(String reference, String display, List<String> unknown) implements Base {
        }

        /** {@code FROM <earlier stage>}. */
        record StageRef(Stage stage) implements Base {
        }
    }

    /**
     * A value an instruction set: a {@code USER}, an {@code ENV} or a {@code LABEL}.
     *
     * @param value the value after substitution, {@link Substitution#UNKNOWN} where it depends on the build
     * @param display the value as a reader should see it ({@code $UID} for an unknown part)
     * @param unknown why parts of it are unknown; empty when it is known
     * @param stage the stage of the instruction
     * @param source the instruction
     * @param word where the value (or for ENV and LABEL, its key) is written
     */
    public record Setting(String value, String display, List<String> unknown, Stage stage, Instruction source,
            Word word) {
        public Setting {
            unknown = List.copyOf(unknown);
        }

        public boolean known() {
            return unknown.isEmpty();
        }
    }

    /**
     * An {@code ENTRYPOINT} or {@code CMD}.
     *
     * @param argv the process's argv, the shell prepended in shell form; arguments of exec form are not substituted
     * @param shellForm whether it was written in shell form
     * @param stage the stage of the instruction
     * @param source the instruction; for a {@code CMD} emptied by an {@code ENTRYPOINT}, that {@code ENTRYPOINT}
     */
    public record Process(List<String> argv, boolean shellForm, Stage stage, Instruction.Command source) {
        public Process {
            argv = List.copyOf(argv);
        }

        /** Where the command's text starts: its first JSON element, or its shell text. */
        public Position where() {
            return source.line().args().isEmpty() ? source.position() : source.line().args().get(0).position();
        }
    }

    /** One history entry, as {@code docker history} shows it, and the instruction it records. */
    public record History(String createdBy, boolean emptyLayer, Stage stage, Instruction source) {
    }

    /**
     * A file {@code COPY} or {@code ADD} put into the image.
     *
     * @param path where it is in the image (relative when the working directory is the base image's, unknown)
     * @param name the name it was copied from (the source's last path component, or the here-document's destination)
     * @param stage the stage whose file system it is in
     * @param via the instruction that put it there
     * @param word the source word of that instruction
     * @param origin for a file copied from another stage, the file there; otherwise null
     * @param removedBy a later {@code RUN} in the same stage that deletes it, or null
     */
    public record PlacedFile(String path, String name, Stage stage, Instruction via, Word word, PlacedFile origin,
            Instruction removedBy) {

        /** The file as first copied from the build context (or written by a here-document). */
        public PlacedFile first() {
            PlacedFile f = this;
            while (f.origin() != null) {
                f = f.origin();
            }
            return f;
        }
    }

    /**
     * A build argument declared by {@code ARG} in the chain.
     *
     * @param name the argument's name
     * @param stage the stage of the {@code ARG}
     * @param source the {@code ARG}
     * @param word where its name is written
     * @param value its value as the check sees it
     * @param recordedBy the first {@code RUN} that ran with the argument in scope, which records its value in the
     *        image's history; null when none did
     */
    public record Argument(String name, Stage stage, Instruction.Arg source, Word word, Substitution.Value value,
            Instruction recordedBy) {
    }

    /** How {@link #config()} shows a value the build decides. */
    public static final String UNKNOWN = "<unknown>";

    /** A value with its unknown parts shown as {@link #UNKNOWN}. */
    static String render(String value) {
        return value.indexOf(Substitution.UNKNOWN) < 0 ? value
                : value.replace(String.valueOf(Substitution.UNKNOWN), UNKNOWN);
    }

    /**
     * The configuration the Dockerfile determines, for the image rules. {@code ImageConfig} cannot say "unknown": a
     * fact the base image decides is left empty here, as if the Dockerfile set nothing, and a part of a value the build
     * decides (a build argument without a default) reads {@link #UNKNOWN}; callers check {@link #root()} and
     * {@link Setting#known()} first.
     */
    public ImageConfig config() {
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + render(v.value())));
        Map<String, String> labelMap = new LinkedHashMap<>();
        labels.forEach((k, v) -> labelMap.put(k, render(v.value())));
        List<ImageConfig.History> h = history.stream().map(x -> new ImageConfig.History(x.createdBy(), x.emptyLayer()))
                .toList();
        return new ImageConfig(Platform.of("linux", "unknown"), user == null ? "" : render(user.value()),
                entrypoint == null ? List.of() : entrypoint.argv(), cmd == null ? List.of() : cmd.argv(), envList,
                labelMap, h);
    }
}
