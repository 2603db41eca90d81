package dev.customs.rules;

import java.util.List;

/**
 * One init, regular or ephemeral container of a {@link PodView}, with the fields the rules read and its place in the
 * admitted object. Its field path is built only when a message needs it ({@link #field}), in the object's own
 * coordinates (for a CronJob: {@code spec.jobTemplate.spec.template.spec.containers[1]}).
 *
 * @param kind which list the container is in
 * @param index its index in that list
 * @param name the container name (may be empty in malformed objects)
 * @param image the image as written, or null when the field is absent
 * @param reference the image parsed once for the whole review; invalid when the image is absent or malformed
 * @param command the container's {@code command}; empty when unset
 * @param args the container's {@code args}; empty when unset
 * @param securityContext the container's {@code runAsUser} and {@code runAsNonRoot}
 * @param volumeMounts its volume mounts; empty when none
 * @param env its environment variables, in order; empty when none
 * @param specPath the path of the pod spec the container is in, e.g. {@code spec.template.spec}
 */
public record ContainerView(Kind kind, int index, String name, String image, ImageReference reference,
        List<String> command, List<String> args, PodView.Security securityContext, List<Mount> volumeMounts,
        List<EnvVar> env, String specPath) {

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

    /** One {@code volumeMounts} entry: the volume's name and where it is mounted; either may be null. */
    public record Mount(String name, String mountPath) {
    }

    /**
     * One {@code env} entry.
     *
     * @param name the variable's name, or null
     * @param value its literal {@code value}, or null when unset
     * @param valueFrom true when it takes its value from a source ({@code valueFrom}: a Secret, a ConfigMap, a field)
     */
    public record EnvVar(String name, String value, boolean valueFrom) {
    }

    public ContainerView {
        name = name == null ? "" : name;
        if (reference == null) {
            reference = ImageReference.parse(image);
        }
        command = command == null ? List.of() : List.copyOf(command);
        args = args == null ? List.of() : List.copyOf(args);
        securityContext = securityContext == null ? PodView.Security.NONE : securityContext;
        volumeMounts = volumeMounts == null ? List.of() : List.copyOf(volumeMounts);
        env = env == null ? List.of() : List.copyOf(env);
    }

    /** A container with only what most rules read, for tests and examples; its image is parsed here. */
    public static ContainerView of(Kind kind, int index, String name, String image, String specPath) {
        return new ContainerView(kind, index, name, image, null, null, null, null, null, null, specPath);
    }

    /** The container's field path: {@code spec.template.spec.initContainers[0]}. */
    public String path() {
        return specPath + "." + kind.field() + "[" + index + "]";
    }

    /** The field path of a field of this container: {@code field("image")} → {@code spec.containers[0].image}. */
    public String field(String relative) {
        return path() + "." + relative;
    }

    /** How messages name this container: {@code container "web" (image nginx:1.25)}. */
    public String subject() {
        return kind.noun() + " \"" + name + "\" (image " + (image == null || image.isEmpty() ? "<none>" : image) + ")";
    }
}
