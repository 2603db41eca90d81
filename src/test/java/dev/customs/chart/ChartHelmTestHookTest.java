package dev.customs.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.LeakedSecret;
import dev.customs.rules.OciLabels;
import dev.customs.rules.Platform;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import dev.customs.rules.Violation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/**
 * The {@code helm test} objects: a pod that asks the API server for a dry-run of a violating pod and expects Customs'
 * denial. The violating pod must break exactly the rule the test expects (checked with Customs' own engine), and the
 * test pod itself must pass Customs' rules.
 */
class ChartHelmTestHookTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The worst image a pod spec can meet: root user, a shell-form entrypoint, no labels. */
    private static final ImageFacts WORST_IMAGE = ImageFacts.Resolved.of(new ImageConfig(Platform.of("linux", "amd64"),
            "", List.of("/bin/sh", "-c"), List.of("sleep 1"), List.of(), Map.of(), List.of()));

    static Stream<Arguments> enforcedRules() {
        return Stream.of(Arguments.of(Map.of(), "host-network"),
                Arguments.of(Map.of("rules.host-network.action", "warn"), "docker-socket"),
                Arguments.of(Map.of("rules.host-network.action", "audit", "rules.docker-socket.action", "off"),
                        "run-as-root"),
                Arguments.of(Map.of("rules.host-network.action", "off", "rules.docker-socket.action", "warn",
                        "rules.run-as-root.action", "warn"), ""));
    }

    @ParameterizedTest(name = "expects [{1}]")
    @MethodSource("enforcedRules")
    void theTestAsksForADryRunThatBreaksTheFirstEnforcedPodSpecRule(Map<String, Object> sets, String rule)
            throws Exception {
        Chart.Rendered r = Chart.renderWithTestHooks(null, sets);
        Pod pod = r.named(Pod.class, "customs-test");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("RULE");
            assertThat(e.getValue()).isEqualTo(rule);
        });
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("WEBHOOK");
            assertThat(e.getValue()).isEqualTo("validate.customs.dev");
        });

        ConfigMap script = r.named(ConfigMap.class, "customs-test");
        assertThat(script.getData().get("run.sh")).contains("--dry-run=server", "denied the request");
        JsonNode violating = YAML.readTree(script.getData().get("violating-pod.yaml"));
        PodView view = new PodViewMapper(JSON).toView(WorkloadKind.POD, violating, "default", "customs-test-");
        Evaluation e = new RuleEngine(RuleRegistry.defaults()).evaluate(view, x -> WORST_IMAGE,
                id -> Set.of("host-network", "docker-socket", "run-as-root").contains(id));
        List<String> broken = e.violations().stream().map(Violation::rule).distinct().toList();
        if (rule.isEmpty()) {
            assertThat(broken).isEmpty();
        } else {
            assertThat(broken).containsExactly(rule);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.customs.chart.ChartTest#scenarios")
    void theTestPodPassesCustomsRulesWithLeastPrivilege(String name, java.nio.file.Path values) throws Exception {
        Chart.Rendered r = Chart.renderWithTestHooks(values, Map.of());
        Pod pod = r.named(Pod.class, "customs-test");
        assertThat(pod.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).as("pinned by digest").matches(".+:[^/]+@sha256:[0-9a-f]{64}");
        assertThat(c.getCommand()).containsExactly("/bin/sh", "/customs-test/run.sh");

        // whatever the image, the pod spec keeps it non-root and in exec form; the image's own labels and history
        // are its publisher's
        PodView view = new PodViewMapper(JSON).toView(WorkloadKind.POD, JSON.readTree(Chart.json(pod)),
                Chart.NAMESPACE, pod.getMetadata().getName());
        Evaluation e = new RuleEngine(RuleRegistry.defaults()).evaluate(view, x -> WORST_IMAGE,
                id -> !id.equals(OciLabels.ID) && !id.equals(LeakedSecret.ID));
        assertThat(e.violations()).isEmpty();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

        ServiceAccount sa = r.named(ServiceAccount.class, pod.getSpec().getServiceAccountName());
        Role role = r.named(Role.class, "customs-test");
        assertThat(role.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactly("pods");
            assertThat(rule.getVerbs()).containsExactly("create");
        });
        RoleBinding binding = r.named(RoleBinding.class, "customs-test");
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(role.getMetadata().getNamespace());
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
        });
    }
}
