package dev.customs.admission;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kinds Customs evaluates, with the API groups they are served in and where their pod spec lives. Older groups
 * ({@code extensions}, {@code apps/v1beta2}) still reach webhooks of clusters that convert, so the group, not the
 * version, decides.
 */
public enum WorkloadKind {
    POD("Pod", Set.of(""), List.of("spec")),
    REPLICATION_CONTROLLER("ReplicationController", Set.of(""), List.of("spec", "template", "spec")),
    DEPLOYMENT("Deployment", Set.of("apps", "extensions"), List.of("spec", "template", "spec")),
    REPLICA_SET("ReplicaSet", Set.of("apps", "extensions"), List.of("spec", "template", "spec")),
    STATEFUL_SET("StatefulSet", Set.of("apps"), List.of("spec", "template", "spec")),
    DAEMON_SET("DaemonSet", Set.of("apps", "extensions"), List.of("spec", "template", "spec")),
    JOB("Job", Set.of("batch"), List.of("spec", "template", "spec")),
    CRON_JOB("CronJob", Set.of("batch"), List.of("spec", "jobTemplate", "spec", "template", "spec"));

    private final String kind;
    private final Set<String> groups;
    private final List<String> specPath;

    WorkloadKind(String kind, Set<String> groups, List<String> specPath) {
        this.kind = kind;
        this.groups = groups;
        this.specPath = specPath;
    }

    public String kind() {
        return kind;
    }

    /** The path of the pod spec in the object, as segments. */
    public List<String> specSegments() {
        return specPath;
    }

    /** The path of the pod spec in the object: {@code spec.jobTemplate.spec.template.spec}. */
    public String specPath() {
        return String.join(".", specPath);
    }

    public static Optional<WorkloadKind> of(String group, String kind) {
        for (WorkloadKind w : values()) {
            if (w.kind.equals(kind) && w.groups.contains(group)) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }

    /** Looks a kind up by name alone, for objects read from files that carry only {@code kind}. */
    public static Optional<WorkloadKind> byKind(String kind) {
        for (WorkloadKind w : values()) {
            if (w.kind.equals(kind)) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }
}
