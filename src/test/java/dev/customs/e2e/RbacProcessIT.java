package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The chart's RBAC is exactly what Customs needs, read from the API server's audit log of everything Customs did in
 * the other scenarios (which run first): no request was refused, and every permission the chart grants was used.
 */
@ExtendWith(ClusterExtension.class)
@Order(Integer.MAX_VALUE)
class RbacProcessIT {

    private static final Logger LOG = Logger.getLogger(RbacProcessIT.class);
    private static final String USER = "system:serviceaccount:" + Cluster.NAMESPACE + ":" + Cluster.FULLNAME;
    private static Cluster cluster;
    private static List<JsonNode> requests;

    @BeforeAll
    static void read(Cluster c) throws Exception {
        cluster = c;
        // run the audit once more, so this class also passes alone
        try (CustomsInstance customs = c.customs("customs-rbac")) {
            c.controlPlane().namespace("team-rbac", java.util.Map.of());
            for (int i = 0; i < 2; i++) {
                ControlPlane.Run r = c.kubectlWithInput(Manifests.pod("again", c.image(Cluster.ROOT_APP), null),
                        "apply", "--namespace", "team-rbac", "-f", "-");
                assertThat(r.err()).as(r.all()).contains("denied the request: [run-as-root]");
            }
            Eventually.until(java.time.Duration.ofSeconds(30), "a repeated Event", () -> c.controlPlane().admin()
                    .events().v1().events().inNamespace("team-rbac").list().getItems().stream()
                    .anyMatch(e -> e.getSeries() != null));
            Eventually.until(java.time.Duration.ofSeconds(30), "the audit leader",
                    () -> customs.scrape().contains("customs_audit_leader 1.0"));
            Thread.sleep(4_000);
        }
        requests = c.controlPlane().auditEvents().stream().filter(e -> USER.equals(e.at("/user/username").asText()))
                .toList();
        LOG.infof("[figure] requests by Customs' ServiceAccount in the API server's audit log: %d", requests.size());
    }

    @Test
    void customsWasNeverRefused() {
        assertThat(requests).isNotEmpty();
        assertThat(requests).filteredOn(e -> e.at("/responseStatus/code").asInt() == 403
                || e.at("/responseStatus/code").asInt() == 401).extracting(RbacProcessIT::describe).isEmpty();
    }

    @Test
    void everyPermissionTheChartGrantsWasUsed() {
        Set<String> used = new TreeSet<>();
        for (JsonNode e : requests) {
            if (!e.has("objectRef")) {
                continue; // /version, discovery: open to every authenticated user, not the chart's to grant
            }
            String group = e.at("/objectRef/apiGroup").asText();
            String resource = e.at("/objectRef/resource").asText();
            used.add(permission(group, resource, e.at("/verb").asText()));
            if (e.at("/verb").asText().equals("patch") && e.at("/responseStatus/code").asInt() == 201) {
                // a server-side apply that created its object: the API server authorised it as a create too
                used.add(permission(group, resource, "create"));
            }
        }
        KubernetesClient admin = cluster.controlPlane().admin();
        Set<String> granted = new TreeSet<>();
        List<PolicyRule> rules = new java.util.ArrayList<>(
                admin.rbac().clusterRoles().withName(Cluster.FULLNAME).get().getRules());
        rules.addAll(admin.rbac().roles().inNamespace(Cluster.NAMESPACE).withName(Cluster.FULLNAME + "-leader-election")
                .get().getRules());
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        granted.add(permission(group, resource, verb));
                    }
                }
            }
        }
        LOG.infof("granted: %s; used: %s", granted, used);
        assertThat(used).as("what Customs did").containsAll(granted);
        assertThat(granted).as("what the chart grants").containsAll(used);
    }

    private static String permission(String group, String resource, String verb) {
        return (group.isEmpty() ? "core" : group) + "/" + resource + ":" + verb;
    }

    private static String describe(JsonNode e) {
        return e.at("/verb").asText() + " " + e.at("/requestURI").asText() + " -> " + e.at("/responseStatus/code")
                .asText();
    }
}
