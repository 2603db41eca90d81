package dev.customs.admission;

import java.util.Set;

/**
 * The fields of a pod spec that Customs reads ({@link PodSpecReader}): everything else in a pod spec (resources,
 * probes, ports, tolerations, ...) no rule and no image resolution looks at, so a reader that builds a tree only for
 * evaluation may leave it out. A test sets every other field of the Kubernetes model to a value the reader would refuse
 * or report, and checks the view does not change: a field the reader starts to read fails it until it is listed here.
 */
public final class PodSpecFields {

    /** The pod spec's fields that are read. */
    public static final Set<String> POD = Set.of("initContainers", "containers", "ephemeralContainers", "os",
            "affinity", "hostNetwork", "hostUsers", "securityContext", "volumes", "imagePullSecrets",
            "serviceAccountName", "nodeSelector");

    /** The pod spec's lists of containers. */
    public static final Set<String> CONTAINER_LISTS = Set.of("initContainers", "containers", "ephemeralContainers");

    /** A container's fields that are read. */
    public static final Set<String> CONTAINER = Set.of("name", "image", "command", "args", "securityContext",
            "volumeMounts", "env");

    /** The affinity's fields that are read. */
    public static final Set<String> AFFINITY = Set.of("nodeAffinity");

    /** A volume's fields that are read. */
    public static final Set<String> VOLUME = Set.of("name", "hostPath");

    private PodSpecFields() {
    }
}
