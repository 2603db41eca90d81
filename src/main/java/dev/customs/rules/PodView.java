package dev.customs.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * The one view of a pod spec that every rule reads, whatever object it came from: a Pod, the pod template of a
 * workload, or the pod of a {@code pods/ephemeralcontainers} update. Field paths are in the admitted object's
 * coordinates, so a finding on a CronJob names {@code spec.jobTemplate.spec.template.spec.containers[0].image}.
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
 * @param spec the pod spec; never null
 * @param containers the containers in scope, init first, then regular, then ephemeral
 * @param podLevel whether pod-level rules (hostNetwork, volumes) are in scope
 */
public record PodView(String kind, String namespace, String name, String specPath, PodSpec spec,
        List<ContainerView> containers, boolean podLevel) {

    public PodView {
        containers = List.copyOf(containers);
    }

    /** A view of every container of {@code spec}, with pod-level rules in scope. */
    public static PodView of(String kind, String namespace, String name, String specPath, PodSpec spec) {
        PodSpec s = spec == null ? new PodSpec() : spec;
        return new PodView(kind, namespace == null ? "" : namespace, name == null ? "" : name, specPath, s,
                allContainers(specPath, s), true);
    }

    /** The same pod narrowed to the containers that match; pod-level rules drop out of scope. */
    public PodView onlyContainers(Predicate<ContainerView> keep) {
        return new PodView(kind, namespace, name, specPath, spec, containers.stream().filter(keep).toList(), false);
    }

    private static List<ContainerView> allContainers(String specPath, PodSpec spec) {
        List<ContainerView> out = new ArrayList<>();
        List<Container> init = nonNull(spec.getInitContainers());
        for (int i = 0; i < init.size(); i++) {
            out.add(view(ContainerView.Kind.INIT, i, init.get(i), specPath));
        }
        List<Container> regular = nonNull(spec.getContainers());
        for (int i = 0; i < regular.size(); i++) {
            out.add(view(ContainerView.Kind.REGULAR, i, regular.get(i), specPath));
        }
        List<EphemeralContainer> ephemeral = nonNull(spec.getEphemeralContainers());
        for (int i = 0; i < ephemeral.size(); i++) {
            EphemeralContainer c = ephemeral.get(i);
            if (c == null) {
                continue;
            }
            out.add(new ContainerView(ContainerView.Kind.EPHEMERAL, i, c.getName(), c.getImage(), c.getCommand(),
                    c.getArgs(), c.getSecurityContext(), c.getVolumeMounts(),
                    specPath + ".ephemeralContainers[" + i + "]", env(c.getEnv())));
        }
        return out;
    }

    private static ContainerView view(ContainerView.Kind kind, int i, Container c, String specPath) {
        Container container = c == null ? new Container() : c;
        return new ContainerView(kind, i, container.getName(), container.getImage(), container.getCommand(),
                container.getArgs(), container.getSecurityContext(), container.getVolumeMounts(),
                specPath + "." + kind.field() + "[" + i + "]", env(container.getEnv()));
    }

    private static List<ContainerView.Env> env(List<EnvVar> env) {
        if (env == null || env.isEmpty()) {
            return List.of();
        }
        List<ContainerView.Env> out = new ArrayList<>(env.size());
        for (EnvVar e : env) {
            out.add(e == null ? new ContainerView.Env("", null, false)
                    : new ContainerView.Env(e.getName(), e.getValue(), e.getValueFrom() != null));
        }
        return out;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? Collections.emptyList() : list;
    }

    /** The field path of a pod-spec field: {@code field("hostNetwork")} → {@code spec.template.spec.hostNetwork}. */
    public String field(String relative) {
        return specPath + "." + relative;
    }

    /** True for {@code spec.os.name: windows}, which has no Linux user rules. */
    public boolean windows() {
        return spec.getOs() != null && "windows".equalsIgnoreCase(spec.getOs().getName());
    }

    /** True when the pod runs in a user namespace ({@code hostUsers: false}): root inside is not root on the host. */
    public boolean userNamespace() {
        return Boolean.FALSE.equals(spec.getHostUsers());
    }

    public PodSecurityContext podSecurityContext() {
        return spec.getSecurityContext();
    }

    /** How messages name the object: {@code Deployment "web"}. */
    public String subject() {
        return kind + (name.isEmpty() ? "" : " \"" + name + "\"");
    }
}
