package dev.customs.rules;

import java.util.List;

import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;

/**
 * One init, regular or ephemeral container of a {@link PodView}, with the fields the rules read and its field path in
 * the admitted object's own coordinates (for a CronJob: {@code spec.jobTemplate.spec.template.spec.containers[1]}).
 *
 * @param kind which list the container is in
 * @param index its index in that list
 * @param name the container name (may be empty in malformed objects)
 * @param image the image as written, or null when the field is absent
 * @param command the container's {@code command}; empty when unset
 * @param args the container's {@code args}; empty when unset
 * @param securityContext the container's securityContext, or null
 * @param volumeMounts its volume mounts; empty when none
 * @param path the container's field path, e.g. {@code spec.template.spec.initContainers[0]}
 * @param env the container's {@code env} entries, in order; empty when none
 */
public record ContainerView(Kind kind, int index, String name, String image, List<String> command, List<String> args,
        SecurityContext securityContext, List<VolumeMount> volumeMounts, String path, List<Env> env) {

    /**
     * One {@code env[]} entry: its name, its literal {@code value} (null when unset), and whether it takes its value
     * from a Secret, ConfigMap, field or resource ({@code valueFrom}).
     */
    public record Env(String name, String value, boolean valueFrom) {
        public Env {
            name = name == null ? "" : name;
        }
    }

    /** The three container lists of a pod spec, in the order the kubelet starts them. */
    public enum Kind {
        INIT("initContainers", "init container"),
        REGULAR("containers", "container"),
        EPHEMERAL("ephemeralContainers", "ephemeral container");

        private final String field;
        private final String noun;

        Kind(String field, String noun) {
            this.field = field;
            this.noun = noun;
        }

        public String field() {
            return field;
        }

        public String noun() {
            return noun;
        }
    }

    public ContainerView {
        name = name == null ? "" : name;
        command = command == null ? List.of() : List.copyOf(command.stream().map(s -> s == null ? "" : s).toList());
        args = args == null ? List.of() : List.copyOf(args.stream().map(s -> s == null ? "" : s).toList());
        volumeMounts = volumeMounts == null ? List.of() : List.copyOf(volumeMounts);
        env = env == null ? List.of() : List.copyOf(env);
    }

    /** A container without env entries. */
    public ContainerView(Kind kind, int index, String name, String image, List<String> command, List<String> args,
            SecurityContext securityContext, List<VolumeMount> volumeMounts, String path) {
        this(kind, index, name, image, command, args, securityContext, volumeMounts, path, List.of());
    }

    /** The field path of a field of this container: {@code field("image")} → {@code spec.containers[0].image}. */
    public String field(String relative) {
        return path + "." + relative;
    }

    /** How messages name this container: {@code container "web" (image nginx:1.25)}. */
    public String subject() {
        return kind.noun() + " \"" + name + "\" (image " + (image == null || image.isEmpty() ? "<none>" : image) + ")";
    }

    /** The parsed image reference; invalid when the image is absent or malformed. */
    public ImageReference reference() {
        return ImageReference.parse(image);
    }
}
