package dev.customs.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.customs.rules.Platform;
import dev.customs.rules.PodViews;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;

/** Which platforms of an image a pod can run on, from its os, node selector and required node affinity. */
class PlatformSelectorTest {

    private static final Platform LINUX_AMD64 = Platform.of("linux", "amd64");
    private static final Platform LINUX_ARM64 = Platform.of("linux", "arm64");
    private static final Platform LINUX_ARM64_V8 = new Platform("linux", "arm64", "v8");
    private static final Platform LINUX_S390X = Platform.of("linux", "s390x");
    private static final Platform WINDOWS_AMD64 = Platform.of("windows", "amd64");
    private static final List<Platform> ALL = List.of(LINUX_AMD64, LINUX_ARM64, LINUX_ARM64_V8, LINUX_S390X,
            WINDOWS_AMD64);

    private static List<Platform> allowed(PodSpec spec) {
        PlatformSelector s = PlatformSelector.of(PodViews.of(spec).spec());
        return ALL.stream().filter(s::matches).toList();
    }

    private static NodeSelectorRequirement req(String key, String op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    private static NodeSelectorTerm term(NodeSelectorRequirement... reqs) {
        return new NodeSelectorTermBuilder().withMatchExpressions(reqs).build();
    }

    private static PodSpec affinity(NodeSelectorTerm... terms) {
        return new PodSpecBuilder().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(terms)
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().build();
    }

    @Test
    void unconstrainedMeansEveryLinuxPlatform() {
        assertThat(PlatformSelector.of(PodViews.of(new PodSpec()).spec())).isEqualTo(PlatformSelector.ANY_LINUX);
        assertThat(allowed(new PodSpec())).containsExactly(LINUX_AMD64, LINUX_ARM64, LINUX_ARM64_V8, LINUX_S390X);
    }

    @Test
    void specOsNameSelectsTheOs() {
        assertThat(allowed(new PodSpecBuilder().withNewOs("windows").build())).containsExactly(WINDOWS_AMD64);
        assertThat(allowed(new PodSpecBuilder().withNewOs("linux").build())).hasSize(4);
    }

    @Test
    void nodeSelectorNarrowsOsAndArchitecture() {
        PodSpec arm = new PodSpecBuilder().withNodeSelector(Map.of(PlatformSelector.ARCH_LABEL, "arm64")).build();
        assertThat(allowed(arm)).containsExactly(LINUX_ARM64, LINUX_ARM64_V8);
        PodSpec win = new PodSpecBuilder().withNodeSelector(Map.of(PlatformSelector.OS_LABEL, "windows")).build();
        assertThat(allowed(win)).containsExactly(WINDOWS_AMD64);
        PodSpec other = new PodSpecBuilder().withNodeSelector(Map.of("disktype", "ssd")).build();
        assertThat(allowed(other)).hasSize(4);
        assertThat(PlatformSelector.of(PodViews.of(other).spec())).isSameAs(PlatformSelector.ANY_LINUX);
        // other labels beside the OS do not hide a spec.os or an affinity that narrows it
        PodSpec otherWin = new PodSpecBuilder().withNodeSelector(Map.of("disktype", "ssd")).withNewOs("windows")
                .build();
        assertThat(allowed(otherWin)).containsExactly(WINDOWS_AMD64);
        PodSpec otherAffinity = new PodSpecBuilder(affinity(term(req(PlatformSelector.ARCH_LABEL, "In", "s390x"))))
                .withNodeSelector(Map.of(PlatformSelector.OS_LABEL, "linux", "disktype", "ssd")).build();
        assertThat(allowed(otherAffinity)).containsExactly(LINUX_S390X);
        // what many charts set is no constraint at all: the same selector as none
        PodSpec linux = new PodSpecBuilder().withNodeSelector(Map.of(PlatformSelector.OS_LABEL, "linux")).build();
        assertThat(PlatformSelector.of(PodViews.of(linux).spec())).isSameAs(PlatformSelector.ANY_LINUX);
        PodSpec linuxArm = new PodSpecBuilder()
                .withNodeSelector(Map.of(PlatformSelector.OS_LABEL, "linux", PlatformSelector.ARCH_LABEL, "arm64"))
                .build();
        assertThat(allowed(linuxArm)).containsExactly(LINUX_ARM64, LINUX_ARM64_V8);
    }

    @Test
    void contradictoryConstraintsMatchNothing() {
        PodSpec osClash = new PodSpecBuilder().withNewOs("linux")
                .withNodeSelector(Map.of(PlatformSelector.OS_LABEL, "windows")).build();
        assertThat(allowed(osClash)).isEmpty();
        PodSpec archClash = affinity(term(req(PlatformSelector.ARCH_LABEL, "In", "amd64")));
        archClash.setNodeSelector(Map.of(PlatformSelector.ARCH_LABEL, "arm64"));
        assertThat(allowed(archClash)).isEmpty();
    }

    @Test
    void requiredAffinityInNarrows() {
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "In", "amd64", "arm64")))))
                .containsExactly(LINUX_AMD64, LINUX_ARM64, LINUX_ARM64_V8);
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "In", "amd64", "arm64"),
                req(PlatformSelector.ARCH_LABEL, "In", "arm64"))))).containsExactly(LINUX_ARM64, LINUX_ARM64_V8);
        assertThat(allowed(affinity(term(req(PlatformSelector.OS_LABEL, "In", "windows"))))).containsExactly(
                WINDOWS_AMD64);
    }

    @Test
    void affinityTermsAreOred() {
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "In", "amd64")),
                term(req(PlatformSelector.ARCH_LABEL, "In", "s390x"))))).containsExactly(LINUX_AMD64, LINUX_S390X);
        // a term that does not constrain the architecture lets every architecture through
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "In", "amd64")),
                term(req("zone", "In", "a"))))).hasSize(4);
    }

    @Test
    void notInNarrows() {
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "NotIn", "arm64")))))
                .containsExactly(LINUX_AMD64, LINUX_S390X);
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "NotIn", "arm64", "s390x")))))
                .containsExactly(LINUX_AMD64);
        // In and NotIn in one term: both hold
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "In", "amd64", "arm64"),
                req(PlatformSelector.ARCH_LABEL, "NotIn", "arm64"))))).containsExactly(LINUX_AMD64);
        // NotIn and a node selector
        PodSpec both = affinity(term(req(PlatformSelector.ARCH_LABEL, "NotIn", "amd64")));
        both.setNodeSelector(Map.of(PlatformSelector.ARCH_LABEL, "amd64"));
        assertThat(allowed(both)).isEmpty();
        // ORed terms: a platform one term excludes is allowed when another allows it
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "NotIn", "arm64", "s390x")),
                term(req(PlatformSelector.ARCH_LABEL, "In", "s390x"))))).containsExactly(LINUX_AMD64, LINUX_S390X);
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "NotIn", "arm64", "s390x")),
                term(req(PlatformSelector.ARCH_LABEL, "NotIn", "arm64"))))).containsExactly(LINUX_AMD64, LINUX_S390X);
        // keeping a pod off Linux nodes puts it on Windows ones
        assertThat(allowed(affinity(term(req(PlatformSelector.OS_LABEL, "NotIn", "linux"))))).containsExactly(
                WINDOWS_AMD64);
        assertThat(PlatformSelector
                .of(PodViews.of(affinity(term(req(PlatformSelector.ARCH_LABEL, "NotIn", "s390x", "arm64")))).spec())
                .describe()).isEqualTo("linux/* except arm64, s390x");
    }

    @Test
    void doesNotExistMatchesNoNodeBecauseEveryNodeHasTheLabels() {
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "DoesNotExist"))))).isEmpty();
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "DoesNotExist")),
                term(req(PlatformSelector.ARCH_LABEL, "In", "amd64"))))).containsExactly(LINUX_AMD64);
    }

    @Test
    void otherOperatorsDoNotNarrow() {
        assertThat(allowed(affinity(term(req(PlatformSelector.ARCH_LABEL, "Exists"))))).hasSize(4);
        assertThat(allowed(affinity(new NodeSelectorTermBuilder().addNewMatchField().withKey("metadata.name")
                .withOperator("In").withValues("node-1").endMatchField().build()))).hasSize(4);
        assertThat(allowed(affinity())).hasSize(4);
    }

    @Test
    void selectorIsAValue() {
        PlatformSelector s = new PlatformSelector(new HashSet<>(List.of("linux")), Set.of());
        assertThat(s).isEqualTo(PlatformSelector.ANY_LINUX);
        assertThat(s.os()).isUnmodifiable();
    }
}
