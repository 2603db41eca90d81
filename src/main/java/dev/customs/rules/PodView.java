package dev.customs.rules;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The one view of a pod spec that every rule reads, whatever object it came from: a Pod, the pod template of a
 * workload, or the pod of a {@code pods/ephemeralcontainers} update. Field paths are in the admitted object's
 * coordinates, so a finding on a CronJob names {@code spec.jobTemplate.spec.template.spec.containers[0].image}.
 *
 * <p>
 * It holds the fields the rules and image resolution read, and nothing else: the admission layer reads them straight
 * from the request's JSON tree (never binding the whole pod spec), so an object's other fields cost nothing.
 *
 * <p>
 * The view also carries its scope: the containers to evaluate (all of them, or only the ephemeral containers an
 * update adds) and whether pod-level rules apply. Rules iterate {@link #containers()} and check
 * {@link #podLevel()}, so a scope decided by the admission layer is honoured by every rule.
 *
 * @param kind the admitted object's kind (Pod, Deployment, ...)
 * @param namespace its namespace, may be empty
 * @param name its name, or its generateName, may be empty
 * @param specPath the path of the pod spec inside the object: {@code spec}, {@code spec.template.spec}, ...
 * @param spec the pod-level fields; never null
 * @param containers the containers in scope, init first, then regular, then ephemeral
 * @param podLevel whether pod-level rules (hostNetwork, volumes) are in scope
 */
public record PodView(String kind, String namespace, String name, String specPath, Spec spec,
        List<ContainerView> containers, boolean podLevel) {

    public PodView {
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
        spec = spec == null ? Spec.EMPTY : spec;
        containers = List.copyOf(containers);
    }

    /**
     * The pod-level fields the rules and image resolution read. Absent booleans are null, absent lists and maps empty.
     *
     * @param hostNetwork {@code hostNetwork}
     * @param hostUsers {@code hostUsers}
     * @param os {@code os.name}, or null
     * @param securityContext {@code securityContext.runAsUser} and {@code runAsNonRoot}
     * @param volumes {@code volumes}: names and host paths
     * @param imagePullSecrets the names in {@code imagePullSecrets}
     * @param serviceAccountName {@code serviceAccountName}, or null
     * @param nodeSelector {@code nodeSelector}
     * @param requiredNodeAffinity the terms of
     *        {@code affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms}
     */
    public record Spec(Boolean hostNetwork, Boolean hostUsers, String os, Security securityContext,
            List<Volume> volumes, List<String> imagePullSecrets, String serviceAccountName,
            Map<String, String> nodeSelector, List<NodeSelectorTerm> requiredNodeAffinity) {

        public static final Spec EMPTY = new Spec(null, null, null, null, null, null, null, null, null);

        public Spec {
            securityContext = securityContext == null ? Security.NONE : securityContext;
            volumes = volumes == null ? List.of() : List.copyOf(volumes);
            imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
            nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
            requiredNodeAffinity = requiredNodeAffinity == null ? List.of() : List.copyOf(requiredNodeAffinity);
        }
    }

    /** {@code runAsUser} and {@code runAsNonRoot} of a pod's or a container's securityContext; null when unset. */
    public record Security(Long runAsUser, Boolean runAsNonRoot) {
        public static final Security NONE = new Security(null, null);
    }

    /**
     * One entry of {@code volumes}.
     *
     * @param name the volume name, or null
     * @param hostPath {@code hostPath.path}, or null when the volume is not a hostPath (or has no path)
     */
    public record Volume(String name, String hostPath) {
    }

    /** One node selector term: its {@code matchExpressions} (terms are ORed, expressions ANDed). */
    public record NodeSelectorTerm(List<NodeSelectorRequirement> matchExpressions) {
        public NodeSelectorTerm {
            matchExpressions = matchExpressions == null ? List.of() : List.copyOf(matchExpressions);
        }
    }

    /** One match expression: {@code key}, {@code operator} ({@code In}, {@code NotIn}, ...) and {@code values}. */
    public record NodeSelectorRequirement(String key, String operator, List<String> values) {
        public NodeSelectorRequirement {
            values = values == null ? List.of() : List.copyOf(values);
        }
    }

    /** The same pod narrowed to the containers that match; pod-level rules drop out of scope. */
    public PodView onlyContainers(Predicate<ContainerView> keep) {
        return new PodView(kind, namespace, name, specPath, spec, containers.stream().filter(keep).toList(), false);
    }

    /** The field path of a pod-spec field: {@code field("hostNetwork")} → {@code spec.template.spec.hostNetwork}. */
    public String field(String relative) {
        return specPath + "." + relative;
    }

    /** True for {@code spec.os.name: windows}, which has no Linux user rules. */
    public boolean windows() {
        return "windows".equalsIgnoreCase(spec.os());
    }

    /** True when the pod runs in a user namespace ({@code hostUsers: false}): root inside is not root on the host. */
    public boolean userNamespace() {
        return Boolean.FALSE.equals(spec.hostUsers());
    }

    public Security podSecurityContext() {
        return spec.securityContext();
    }

    /** How messages name the object: {@code Deployment "web"}. */
    public String subject() {
        return kind + (name.isEmpty() ? "" : " \"" + name + "\"");
    }
}
