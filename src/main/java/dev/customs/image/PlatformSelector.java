package dev.customs.image;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.customs.rules.Platform;
import dev.customs.rules.PodView;
import dev.customs.rules.PodView.NodeSelectorRequirement;
import dev.customs.rules.PodView.NodeSelectorTerm;

/**
 * Which platforms of a multi-platform image a pod can run on, read from its {@code nodeSelector}, required node
 * affinity on {@code kubernetes.io/os} and {@code kubernetes.io/arch}, and {@code spec.os.name}. With no constraint,
 * every Linux platform is evaluated; an image without linux/amd64 is never an error by itself.
 *
 * @param os the allowed operating systems; never empty
 * @param architectures the allowed architectures; empty means any
 */
public record PlatformSelector(Set<String> os, Set<String> architectures) {

    public static final String OS_LABEL = "kubernetes.io/os";
    public static final String ARCH_LABEL = "kubernetes.io/arch";
    public static final PlatformSelector ANY_LINUX = new PlatformSelector(Set.of("linux"), Set.of());

    public PlatformSelector {
        os = Set.copyOf(os);
        architectures = Set.copyOf(architectures);
    }

    public boolean matches(Platform p) {
        return os.contains(p.os()) && (architectures.isEmpty() || architectures.contains(p.architecture()));
    }

    public static PlatformSelector of(PodView.Spec spec) {
        Map<String, String> selector = spec.nodeSelector();
        List<NodeSelectorTerm> terms = spec.requiredNodeAffinity();
        if (spec.os() == null && selector.isEmpty() && terms.isEmpty()) {
            return ANY_LINUX; // most pods: no allocation
        }
        Set<String> os = new HashSet<>();
        Set<String> arch = new HashSet<>();
        if (spec.os() != null) {
            os.add(spec.os());
        }
        narrow(os, selector.get(OS_LABEL));
        narrow(arch, selector.get(ARCH_LABEL));
        if (!terms.isEmpty()) {
            // terms are ORed: a platform is allowed when any term allows it
            Set<String> termOs = new HashSet<>();
            Set<String> termArch = new HashSet<>();
            boolean osFree = false;
            boolean archFree = false;
            for (NodeSelectorTerm t : terms) {
                Set<String> o = allowed(t, OS_LABEL);
                Set<String> a = allowed(t, ARCH_LABEL);
                osFree |= o == null;
                archFree |= a == null;
                if (o != null) {
                    termOs.addAll(o);
                }
                if (a != null) {
                    termArch.addAll(a);
                }
            }
            if (!osFree) {
                intersect(os, termOs);
            }
            if (!archFree) {
                intersect(arch, termArch);
            }
        }
        if (os.isEmpty()) {
            os.add("linux");
        }
        return new PlatformSelector(os, arch);
    }

    private static void narrow(Set<String> set, String value) {
        if (value != null) {
            intersect(set, Set.of(value));
        }
    }

    private static void intersect(Set<String> set, Set<String> allowed) {
        if (set.isEmpty()) {
            set.addAll(allowed);
        } else {
            set.retainAll(allowed);
            if (set.isEmpty()) {
                set.add("none"); // contradictory constraints: nothing can match
            }
        }
    }

    /** Values a term allows for a key via In, or null when the term does not constrain it with In. */
    private static Set<String> allowed(NodeSelectorTerm term, String key) {
        Set<String> out = null;
        for (NodeSelectorRequirement r : term.matchExpressions()) {
            if (key.equals(r.key()) && "In".equals(r.operator())) {
                Set<String> values = new HashSet<>(r.values());
                if (out == null) {
                    out = values;
                } else {
                    out.retainAll(values);
                }
            }
        }
        return out;
    }
}
