package dev.customs.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.customs.policy.Action;
import dev.customs.policy.Decision;
import dev.customs.reports.ReportDocument;
import dev.customs.reports.ReportFormat;
import dev.customs.reports.Scope;
import dev.customs.reports.WorkloadReport;
import dev.customs.rules.ContainerView;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageReference;
import dev.customs.rules.ImageUnverified;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;

/**
 * The report CRDs the chart installs when asked: only then, kept on uninstall, and with schemas that accept every
 * report Customs writes (and refuse what the API types do not allow). The API server's acceptance is the end-to-end
 * suite's; this checks the schemas without one.
 */
class ReportCrdTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<CustomResourceDefinition> crds(Map<String, Object> sets) {
        return Chart.render(null, sets).all(CustomResourceDefinition.class);
    }

    @Test
    void noCrdUnlessAsked() {
        assertThat(crds(Map.of())).isEmpty();
        assertThat(crds(Map.of("reports.installCRDs", true, "reports.enabled", false))).isEmpty();
    }

    @Test
    void theCrdsOfTheChosenFormatsAreInstalledAndKept() {
        assertThat(crds(Map.of("reports.installCRDs", true))).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("reports.openreports.io", "clusterreports.openreports.io");
        List<CustomResourceDefinition> both = crds(Map.of("reports.installCRDs", true, "reports.formats[0]",
                "openreports", "reports.formats[1]", "wgpolicyk8s"));
        assertThat(both).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder(
                "reports.openreports.io", "clusterreports.openreports.io", "policyreports.wgpolicyk8s.io",
                "clusterpolicyreports.wgpolicyk8s.io");
        for (CustomResourceDefinition crd : both) {
            assertThat(crd.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
            assertThat(crd.getSpec().getScope()).isEqualTo(crd.getSpec().getNames().getKind().startsWith("Cluster")
                    ? "Cluster"
                    : "Namespaced");
            assertThat(crd.getSpec().getVersions()).singleElement().satisfies(v -> {
                assertThat(v.getServed()).isTrue();
                assertThat(v.getStorage()).isTrue();
            });
        }
        CustomResourceDefinition report = named(both, "reports.openreports.io");
        assertThat(report.getSpec().getVersions().get(0).getName()).isEqualTo("v1alpha1");
        assertThat(report.getSpec().getNames().getShortNames()).containsExactly("reps");
        assertThat(named(both, "policyreports.wgpolicyk8s.io").getSpec().getVersions().get(0).getName())
                .isEqualTo("v1alpha2");
    }

    @Test
    void everyReportCustomsWritesFitsItsSchema() {
        List<CustomResourceDefinition> both = crds(Map.of("reports.installCRDs", true, "reports.formats[0]",
                "openreports", "reports.formats[1]", "wgpolicyk8s"));
        WorkloadReport report = sample(200);
        for (ReportFormat f : ReportFormat.values()) {
            JsonSchema schema = schema(named(both, f.plural() + "." + f.group()));
            ObjectNode doc = ReportDocument.render(f, report, Instant.ofEpochSecond(1_700_000_000L), JSON);
            assertThat(schema.validate(doc)).as(f.kind()).isEmpty();

            ObjectNode bad = doc.deepCopy();
            ((ObjectNode) bad.at("/results/0")).put("severity", "urgent");
            ((ObjectNode) bad.at("/results/1")).remove("policy");
            Set<ValidationMessage> errors = schema.validate(bad);
            assertThat(errors).as("a made-up severity and a result without policy").hasSize(2);
        }
        // OpenReports only: the top-level source and configuration are part of its schema, not of wgpolicyk8s'
        JsonNode wg = schemaNode(named(both, "policyreports.wgpolicyk8s.io"));
        assertThat(wg.at("/properties").has("source")).isFalse();
        assertThat(schemaNode(named(both, "reports.openreports.io")).at("/properties/configuration/required/0")
                .asText()).isEqualTo("limits");
    }

    /** A report with every kind of result: fails, an error, skips, passes; capped. */
    private static WorkloadReport sample(int failures) {
        List<Decision.Finding> findings = new java.util.ArrayList<>();
        for (int i = 0; i < failures; i++) {
            findings.add(new Decision.Finding("latest-tag", "c" + i, "app" + i, "spec.containers[" + i + "].image",
                    "[latest-tag] container \"c" + i + "\" (image app" + i + ") has no tag: pin it", Action.ENFORCE,
                    null));
        }
        findings.add(new Decision.Finding("host-network", null, null, "spec.hostNetwork",
                "[host-network] the pod uses the node's network: remove hostNetwork", Action.AUDIT, "legacy"));
        ContainerView c = new ContainerView(ContainerView.Kind.REGULAR, 0, "c0", "gone:1",
                ImageReference.parse("gone:1"), List.of(), List.of(), null, List.of(), List.of(), "spec");
        ImageUnverified u = new ImageUnverified("gone:1", "registry said 404", List.of(c), List.of("run-as-root"));
        findings.add(new Decision.Finding(ImageUnverified.ID, "c0", "gone:1", u.field(), u.message(), Action.WARN,
                null));
        Map<String, Action> actions = new java.util.LinkedHashMap<>();
        for (String id : List.of("run-as-root", "host-network", "docker-socket", "latest-tag")) {
            actions.put(id, Action.ENFORCE);
        }
        return WorkloadReport.build(new Scope("apps/v1", "Deployment", "shop", "web", "uid-1"),
                new Evaluation(List.of(), List.of(u)), new Decision(findings), actions, 100);
    }

    private static CustomResourceDefinition named(List<CustomResourceDefinition> crds, String name) {
        return crds.stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode schemaNode(CustomResourceDefinition crd) {
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        return JSON.valueToTree(v.getSchema().getOpenAPIV3Schema());
    }

    /** The CRD's structural schema as JSON Schema; the x-kubernetes-* and int formats are ignored. */
    private static JsonSchema schema(CustomResourceDefinition crd) {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schemaNode(crd));
    }
}
