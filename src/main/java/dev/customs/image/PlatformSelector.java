package dev.customs.image;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.customs.rules.Platform;
import dev.customs.rules.PodView;
import dev.customs.rules.PodView.NodeSelectorRequirement;
import dev.customs.rules.PodView.NodeSelectorTerm;

/**
 * Which platforms of a multi-platform image a pod can run on, read from its {@code nodeSelector}, required node
 * affinity on {@code kubernetes.io/os} and {@code kubernetes.io/arch} ({@code In}, {@code NotIn}, {@code Exists},
 * {@code DoesNotExist}), and {@code spec.os.name}. With no constraint, every Linux platform is evaluated; an image
 * without linux/amd64 is never an error by itself.
 *
 * @param os the allowed operating systems; never empty
 * @param architectures the allowed architectures; empty means any that is not excluded
 * @param excludedArchitectures architectures the pod cannot run on ({@code NotIn}); only set when
 *        {@code architectures} is empty
 */
public record PlatformSelector(Set<String> os, Set<String> architectures, Set<String> excludedArchitectures) {

    public static final String OS_LABEL = "kubernetes.io/os";
    public static final String ARCH_LABEL = "kubernetes.io/arch";
    public static final PlatformSelector ANY_LINUX = new PlatformSelector(Set.of("linux"), Set.of(), Set.of());
    /** What contradictory constraints allow: a value no platform has. */
    private static final String NONE = "none";

    public PlatformSelector {
        os = Set.copyOf(os);
        architectures = Set.copyOf(architectures);
        excludedArchitectures = Set.copyOf(excludedArchitectures);
    }

    public PlatformSelector(Set<String> os, Set<String> architectures) {
        this(os, architectures, Set.of());
    }

    public boolean matches(Platform p) {
        return os.contains(p.os()) && (architectures.isEmpty() || architectures.contains(p.architecture()))
                && !excludedArchitectures.contains(p.architecture());
    }

    /** The platforms for a message: {@code linux/amd64|arm64}, {@code linux/*}, {@code linux/* except arm64}. */
    public String describe() {
        String o = String.join("|", new TreeSet<>(os));
        if (!architectures.isEmpty()) {
            return o + "/" + String.join("|", new TreeSet<>(architectures));
        }
        return o + "/*" + (excludedArchitectures.isEmpty() ? ""
                : " except " + String.join(", ", new TreeSet<>(excludedArchitectures)));
    }

    public static PlatformSelector of(PodView.Spec spec) {
        Map<String, String> selector = spec.nodeSelector();
        List<NodeSelectorTerm> terms = spec.requiredNodeAffinity();
        if (spec.os() == null && terms.isEmpty() && selector.get(ARCH_LABEL) == null) {
            String os = selector.get(OS_LABEL);
            if (os == null || os.equals("linux")) {
                return ANY_LINUX; // most pods, and those that select only Linux or other labels: no allocation
            }
        }
        Values os = Values.ANY;
        Values arch = Values.ANY;
        if (spec.os() != null) {
            os = os.and(Values.only(Set.of(spec.os())));
        }
        if (selector.get(OS_LABEL) != null) {
            os = os.and(Values.only(Set.of(selector.get(OS_LABEL))));
        }
        if (selector.get(ARCH_LABEL) != null) {
            arch = arch.and(Values.only(Set.of(selector.get(ARCH_LABEL))));
        }
        // terms are ORed: a platform is allowed when any term allows it
        Values termOs = null;
        Values termArch = null;
        for (NodeSelectorTerm t : terms) {
            if (t == null) {
                continue;
            }
            termOs = termOs == null ? allowed(t, OS_LABEL) : termOs.or(allowed(t, OS_LABEL));
            termArch = termArch == null ? allowed(t, ARCH_LABEL) : termArch.or(allowed(t, ARCH_LABEL));
        }
        if (termOs != null) {
            os = os.and(termOs);
            arch = arch.and(termArch);
        }
        Set<String> osSet;
        if (os.allowed() != null) {
            osSet = os.allowed().isEmpty() ? Set.of(NONE) : os.allowed();
        } else {
            // Kubernetes nodes run Linux or Windows; a pod kept off Linux runs on Windows
            osSet = os.excluded().contains("linux") ? Set.of("windows") : Set.of("linux");
            osSet = osSet.stream().anyMatch(os.excluded()::contains) ? Set.of(NONE) : osSet;
        }
        if (arch.allowed() != null) {
            return new PlatformSelector(osSet, arch.allowed().isEmpty() ? Set.of(NONE) : arch.allowed(), Set.of());
        }
        if (arch.excluded().isEmpty() && osSet.equals(ANY_LINUX.os())) {
            // nodeSelector kubernetes.io/os: linux, which many charts set: the selector of no constraint, whose hash
            // every image look-up of the review computes
            return ANY_LINUX;
        }
        return new PlatformSelector(osSet, Set.of(), arch.excluded());
    }

    /**
     * The values of one label a pod may run on: a finite set ({@code allowed}), or every value except some
     * ({@code allowed} null, {@code excluded}). Intersection and union keep that form.
     */
    private record Values(Set<String> allowed, Set<String> excluded) {

        static final Values ANY = new Values(null, Set.of());

        static Values only(Set<String> values) {
            return new Values(Set.copyOf(values), Set.of());
        }

        Values and(Values other) {
            if (allowed == null && other.allowed == null) {
                Set<String> ex = new HashSet<>(excluded);
                ex.addAll(other.excluded);
                return new Values(null, ex);
            }
            Set<String> in = new HashSet<>(allowed != null ? allowed : other.allowed);
            if (allowed != null && other.allowed != null) {
                in.retainAll(other.allowed);
            }
            in.removeAll(excluded);
            in.removeAll(other.excluded);
            return new Values(in, Set.of());
        }

        Values or(Values other) {
            if (allowed != null && other.allowed != null) {
                Set<String> in = new HashSet<>(allowed);
                in.addAll(other.allowed);
                return new Values(in, Set.of());
            }
            if (allowed == null && other.allowed == null) {
                Set<String> ex = new HashSet<>(excluded);
                ex.retainAll(other.excluded);
                return new Values(null, ex);
            }
            Values open = allowed == null ? this : other;
            Values finite = allowed == null ? other : this;
            Set<String> ex = new HashSet<>(open.excluded);
            ex.removeAll(finite.allowed);
            return new Values(null, ex);
        }
    }

    /**
     * The values one term allows for a key: {@code In} narrows (several are intersected), {@code NotIn} excludes,
     * {@code DoesNotExist} allows nothing (every node has the os and arch labels), {@code Exists} and other keys leave
     * it open.
     */
    private static Values allowed(NodeSelectorTerm term, String key) {
        Values v = Values.ANY;
        for (NodeSelectorRequirement r : term.matchExpressions()) {
            if (r == null || !key.equals(r.key()) || r.operator() == null) {
                continue;
            }
            Set<String> values = new HashSet<>(r.values().stream().filter(x -> x != null).toList());
            v = switch (r.operator()) {
                case "In" -> v.and(Values.only(values));
                case "NotIn" -> v.and(new Values(null, values));
                case "DoesNotExist" -> v.and(Values.only(Set.of()));
                default -> v;
            };
        }
        return v;
    }
}
