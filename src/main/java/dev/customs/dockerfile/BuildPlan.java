package dev.customs.dockerfile;

import java.util.List;
import java.util.Map;

/**
 * What building a Dockerfile would do: its stages, the stage that ships (the {@code --target}, by default the last),
 * the stages that building it needs, and the image each of them plans.
 *
 * @param dockerfile the parsed file
 * @param metaArguments the {@code ARG}s before the first {@code FROM}
 * @param stages every stage, in order
 * @param target the stage that ships
 * @param built the stages building the target runs, in order: the target, the stages it is built {@code FROM}, and
 *        those it copies or mounts from, transitively
 * @param images the planned image of every stage, by stage index
 * @param imageUses every image from a registry that the built stages use
 */
public record BuildPlan(Dockerfile dockerfile, List<Instruction.Arg> metaArguments, List<Stage> stages, Stage target,
        List<Stage> built, Map<Integer, PlannedImage> images, List<ImageUse> imageUses) {

    public BuildPlan {
        metaArguments = List.copyOf(metaArguments);
        stages = List.copyOf(stages);
        built = List.copyOf(built);
        images = Map.copyOf(images);
        imageUses = List.copyOf(imageUses);
    }

    /** The planned image of the stage that ships. */
    public PlannedImage shipped() {
        return images.get(target.index());
    }

    /** The planned image of a stage. */
    public PlannedImage image(Stage stage) {
        return images.get(stage.index());
    }

    /** The stages whose image the shipped image is built on: the target, then its {@code FROM} stages. */
    public List<Stage> chain() {
        List<Stage> out = new java.util.ArrayList<>();
        PlannedImage p = shipped();
        while (true) {
            out.add(p.stage());
            if (!(p.base() instanceof PlannedImage.Base.StageRef ref)) {
                return out;
            }
            p = images.get(ref.stage().index());
        }
    }

    /**
     * An image from a registry that a built stage uses.
     *
     * @param stage the stage
     * @param instruction the {@code FROM}, {@code COPY --from} or {@code RUN --mount} that names it
     * @param word where the reference is written
     * @param how {@code FROM}, {@code COPY --from} or {@code RUN --mount from}
     * @param reference the reference after substitution ({@link Substitution#UNKNOWN} where the build decides)
     * @param display the reference as a reader should see it
     * @param unknown why parts of it are unknown
     */
    public record ImageUse(Stage stage, Instruction instruction, Word word, String how, String reference,
            String display, List<String> unknown) {
    }
}
