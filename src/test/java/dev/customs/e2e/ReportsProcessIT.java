package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The audit's reports as the API server stores them, with the chart's report CRDs installed (the e2e values set
 * {@code reports.installCRDs} and both formats): a report per workload and per pod no workload owns, owned by it,
 * updated when the workload is fixed, removed when it goes or when a ReplicaSet adopts the pod; a Job and not its pod;
 * a workload with more
 * findings than the cap keeps a report far below etcd's limit; many workloads in one namespace make as many small
 * reports; and a new leader rewrites no report and posts no Event again.
 */
@ExtendWith(ClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportsProcessIT {

    private static final Logger LOG = Logger.getLogger(ReportsProcessIT.class);
    private static final String NS = "team-reports";
    private static final String HUGE = "team-huge";
    private static final String LEASE = Cluster.FULLNAME + "-audit";
    /** The chart's default reports.maxResults. */
    private static final int MAX_RESULTS = 100;
    /** etcd's default limit on one object (--max-request-bytes 1.5 MiB). */
    private static final int ETCD_LIMIT = 1536 * 1024;
    private static final Duration AUDIT = Duration.ofSeconds(90);

    private static Cluster cluster;
    private static KubernetesClient admin;
    private static CustomsInstance a;
    private static CustomsInstance b;

    @BeforeAll
    static void start(Cluster c) throws Exception {
        cluster = c;
        admin = c.controlPlane().admin();
        // warn, so that what the audit reports is admitted in the first place
        c.controlPlane().namespace(NS, Map.of("customs.dev/action", "warn"));
        c.controlPlane().namespace(HUGE, Map.of("customs.dev/action", "warn"));
        a = c.customs("customs-reports-a");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (CustomsInstance i : new CustomsInstance[] { a, b }) {
            if (i != null) {
                i.close();
            }
        }
    }

    private static void apply(String manifest, String namespace) {
        ControlPlane.Run r = cluster.kubectlWithInput(manifest, "apply", "--namespace", namespace, "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
    }

    /** The reports of one format in a namespace, as JSON. */
    private static List<JsonNode> reports(String apiVersion, String kind, String namespace) {
        return admin.genericKubernetesResources(apiVersion, kind).inNamespace(namespace).list().getItems().stream()
                .map(r -> (JsonNode) ControlPlane.JSON.valueToTree(r)).toList();
    }

    private static List<JsonNode> openReports(String namespace) {
        return reports("openreports.io/v1alpha1", "Report", namespace);
    }

    private static List<JsonNode> policyReports(String namespace) {
        return reports("wgpolicyk8s.io/v1alpha2", "PolicyReport", namespace);
    }

    /** The report of one object, by the object's kind and name, or null. */
    private static JsonNode reportOf(List<JsonNode> reports, String kind, String name) {
        return reports.stream()
                .filter(r -> r.at("/scope/kind").asText().equals(kind) && r.at("/scope/name").asText().equals(name))
                .findFirst().orElse(null);
    }

    private static JsonNode result(JsonNode report, String rule) {
        for (JsonNode r : report.path("results")) {
            if (r.path("rule").asText().equals(rule)) {
                return r;
            }
        }
        return null;
    }

    private static String uid(String kind, String namespace, String name) {
        return switch (kind) {
            case "Deployment" -> admin.apps().deployments().inNamespace(namespace).withName(name).get().getMetadata()
                    .getUid();
            case "ReplicaSet" -> admin.apps().replicaSets().inNamespace(namespace).withName(name).get().getMetadata()
                    .getUid();
            case "Pod" -> admin.pods().inNamespace(namespace).withName(name).get().getMetadata().getUid();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Test
    @Order(1)
    void aReportAppearsForAWorkloadIsUpdatedWhenItIsFixedAndGoesWithIt() {
        apply(Manifests.deployment("web", cluster.image(Cluster.ROOT_APP), null, 2), NS);
        String uid = uid("Deployment", NS, "web");

        JsonNode report = Eventually.get(AUDIT, "the Deployment's OpenReports Report", () -> reportOf(openReports(NS),
                "Deployment", "web"), r -> r != null && result(r, "run-as-root") != null);
        assertThat(report.at("/metadata/name").asText()).isEqualTo("customs-" + uid);
        assertThat(report.at("/metadata/labels/app.kubernetes.io~1managed-by").asText()).isEqualTo("customs");
        assertThat(report.at("/metadata/ownerReferences/0/uid").asText()).isEqualTo(uid);
        assertThat(report.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("Deployment");
        assertThat(report.at("/scope/uid").asText()).isEqualTo(uid);
        assertThat(report.at("/scope/apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(report.at("/source").asText()).isEqualTo("customs");
        assertThat(report.at("/configuration/limits/maxResults").asInt()).isEqualTo(MAX_RESULTS);
        JsonNode rootFinding = result(report, "run-as-root");
        assertThat(rootFinding.path("policy").asText()).isEqualTo("run-as-root");
        assertThat(rootFinding.path("result").asText()).isEqualTo("fail");
        assertThat(rootFinding.path("severity").asText()).as("warn maps to medium").isEqualTo("medium");
        assertThat(rootFinding.path("message").asText()).startsWith("[run-as-root] ");
        assertThat(rootFinding.at("/properties/container").asText()).isEqualTo("app");
        assertThat(report.at("/summary/fail").asInt()).isEqualTo(1);
        assertThat(report.at("/summary/pass").asInt()).isPositive();
        assertThat(report.path("results").get(0).path("result").asText()).as("failures first").isEqualTo("fail");

        // the same content as a wgpolicyk8s PolicyReport, for readers that know only that one
        JsonNode policyReport = Eventually.get(AUDIT, "the Deployment's PolicyReport",
                () -> reportOf(policyReports(NS), "Deployment", "web"), r -> r != null);
        assertThat(policyReport.at("/metadata/name").asText()).isEqualTo("customs-" + uid);
        assertThat(policyReport.path("results")).isEqualTo(report.path("results"));
        assertThat(policyReport.path("summary")).isEqualTo(report.path("summary"));

        // the ReplicaSet and the pods the Deployment made are judged with it: no reports of their own
        Eventually.until(AUDIT, "the Deployment's two pods", () -> admin.pods().inNamespace(NS).list().getItems()
                .size() == 2);
        assertThat(openReports(NS)).extracting(r -> r.at("/scope/kind").asText()).containsOnly("Deployment");

        // fixed: the same report (by name) now passes run-as-root
        apply(Manifests.deployment("web", cluster.image(Cluster.ROOT_APP), 10001L, 2), NS);
        JsonNode fixed = Eventually.get(AUDIT, "the report of the fixed Deployment",
                () -> reportOf(openReports(NS), "Deployment", "web"), r -> r != null && r.at("/summary/fail")
                        .asInt(-1) == 0);
        assertThat(fixed.at("/metadata/name").asText()).isEqualTo("customs-" + uid);
        assertThat(result(fixed, "run-as-root").path("result").asText()).isEqualTo("pass");
        Eventually.until(AUDIT, "the fixed PolicyReport", () -> reportOf(policyReports(NS), "Deployment", "web")
                .at("/summary/fail").asInt(-1) == 0);

        // deleted: its reports go with it (its owner reference, or Customs' next run)
        ControlPlane.Run del = cluster.kubectl("delete", "deployment", "web", "--namespace", NS, "--wait=false");
        assertThat(del.exit()).as(del.all()).isZero();
        Eventually.until(AUDIT, "no report of the deleted Deployment", () -> reportOf(openReports(NS), "Deployment",
                "web") == null && reportOf(policyReports(NS), "Deployment", "web") == null);
    }

    @Test
    @Order(2)
    void aPodAdoptedByAReplicaSetLosesItsReportAndTheReplicaSetGetsOne() {
        apply(Manifests.pod("loner", cluster.image(Cluster.ROOT_APP), null), NS);
        String podUid = uid("Pod", NS, "loner");
        JsonNode podReport = Eventually.get(AUDIT, "the standalone pod's report",
                () -> reportOf(openReports(NS), "Pod", "loner"), r -> r != null);
        assertThat(podReport.at("/metadata/name").asText()).isEqualTo("customs-" + podUid);
        assertThat(result(podReport, "run-as-root").path("result").asText()).isEqualTo("fail");

        // a ReplicaSet whose selector matches adopts the pod (the controller-manager sets itself as its controller)
        apply("""
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata:
                  name: adopter
                spec:
                  replicas: 1
                  selector:
                    matchLabels:
                      app: loner
                  template:
                    metadata:
                      labels:
                        app: loner
                    spec:
                      securityContext: {}
                      containers:
                        - name: app
                          image: %s
                """.formatted(cluster.image(Cluster.ROOT_APP)), NS);
        Eventually.until(Duration.ofSeconds(60), "the pod adopted by the ReplicaSet", () -> admin.pods().inNamespace(NS)
                .withName("loner").get().getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> o.getName().equals("adopter") && Boolean.TRUE.equals(o.getController())));
        // the pod is still there, so no garbage collector removes its report: Customs does, as the pod is now judged
        // with its ReplicaSet
        Eventually.until(AUDIT, "the adopted pod's reports deleted and the ReplicaSet's written",
                () -> reportOf(openReports(NS), "Pod", "loner") == null
                        && reportOf(policyReports(NS), "Pod", "loner") == null
                        && reportOf(openReports(NS), "ReplicaSet", "adopter") != null);
        assertThat(admin.pods().inNamespace(NS).withName("loner").get()).isNotNull();
        assertThat(reportOf(openReports(NS), "ReplicaSet", "adopter").at("/metadata/ownerReferences/0/uid").asText())
                .isEqualTo(uid("ReplicaSet", NS, "adopter"));
    }

    @Test
    @Order(3)
    void aJobNoCronJobOwnsGetsAReportAndItsPodNone() {
        apply("""
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: once
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                        - name: app
                          image: %s
                """.formatted(cluster.image(Cluster.ROOT_APP)), NS);
        String uid = admin.batch().v1().jobs().inNamespace(NS).withName("once").get().getMetadata().getUid();
        JsonNode report = Eventually.get(AUDIT, "the Job's report", () -> reportOf(openReports(NS), "Job", "once"),
                r -> r != null);
        assertThat(report.at("/metadata/ownerReferences/0/uid").asText()).isEqualTo(uid);
        assertThat(report.at("/scope/apiVersion").asText()).isEqualTo("batch/v1");
        assertThat(result(report, "run-as-root").path("result").asText()).isEqualTo("fail");
        // the Job controller made a pod, owned by the Job and judged with it
        Eventually.until(Duration.ofSeconds(60), "the Job's pod", () -> admin.pods().inNamespace(NS).list()
                .getItems().stream().anyMatch(p -> p.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> o.getUid().equals(uid))));
        assertThat(openReports(NS)).extracting(r -> r.at("/scope/kind").asText()).doesNotContain("Pod");
    }

    /** A Deployment of {@code n} containers, every one running as root. */
    private static String manyContainers(String name, int n) {
        String containers = IntStream.range(0, n)
                .mapToObj(i -> "        - name: c%03d\n          image: %s\n".formatted(i,
                        cluster.image(Cluster.ROOT_APP)))
                .collect(Collectors.joining());
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                spec:
                  replicas: 0
                  selector:
                    matchLabels:
                      app: %s
                  template:
                    metadata:
                      labels:
                        app: %s
                    spec:
                      containers:
                """.formatted(name, name, name) + containers;
    }

    @Test
    @Order(4)
    void aWorkloadWithMoreFindingsThanTheCapAndAHugeNamespaceStayFarBelowEtcdsLimit() throws Exception {
        int containers = 250;
        apply(manyContainers("wide", containers), HUGE);
        int workloads = 40;
        apply(IntStream.range(0, workloads).mapToObj(i -> Manifests.deployment("svc-" + i,
                cluster.image(Cluster.ROOT_APP), null, 0)).collect(Collectors.joining("---\n")), HUGE);

        JsonNode wide = Eventually.get(AUDIT, "the report of the 250-container Deployment",
                () -> reportOf(openReports(HUGE), "Deployment", "wide"), r -> r != null);
        // one run-as-root failure per container, and a pass per other rule: more than the cap
        JsonNode summary = wide.path("summary");
        assertThat(summary.path("fail").asInt()).isEqualTo(containers);
        int total = summary.path("pass").asInt() + summary.path("fail").asInt() + summary.path("warn").asInt()
                + summary.path("error").asInt() + summary.path("skip").asInt();
        assertThat(wide.path("results")).hasSize(MAX_RESULTS);
        assertThat(wide.at("/metadata/annotations/customs.dev~1results-omitted").asInt()).isEqualTo(total - MAX_RESULTS);
        assertThat(wide.path("results")).allSatisfy(r -> assertThat(r.path("result").asText()).isEqualTo("fail"));
        int bytes = ControlPlane.JSON.writeValueAsString(wide).getBytes(StandardCharsets.UTF_8).length;
        LOG.infof("[figure] report of a %d-container Deployment: %d results kept of %d, %d bytes", containers,
                MAX_RESULTS, total, bytes);
        assertThat(bytes).isLessThan(ETCD_LIMIT / 4);

        // a namespace of many workloads: one small report each, never one that grows with the namespace
        List<JsonNode> all = Eventually.get(AUDIT, "a report per Deployment in " + HUGE, () -> openReports(HUGE),
                l -> l.size() == workloads + 1);
        int largest = 0;
        for (JsonNode r : all) {
            largest = Math.max(largest, ControlPlane.JSON.writeValueAsString(r).length());
        }
        assertThat(all).filteredOn(r -> !r.at("/scope/name").asText().equals("wide"))
                .allSatisfy(r -> assertThat(ControlPlane.JSON.writeValueAsString(r).length()).isLessThan(16 * 1024));
        LOG.infof("[figure] %s: %d reports, the largest %d bytes", HUGE, all.size(), largest);
    }

    private static String holder() {
        Lease l = admin.leases().inNamespace(Cluster.NAMESPACE).withName(LEASE).get();
        return l == null || l.getSpec().getHolderIdentity() == null ? "" : l.getSpec().getHolderIdentity();
    }

    private static double metric(CustomsInstance i, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
                .matcher(i.scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** The audit's report writes with one result (created, updated, unchanged, deleted, failed) so far. */
    private static double reportsCounter(CustomsInstance i, String result) {
        Matcher m = Pattern.compile("^customs_audit_reports_total\\{[^}]*result=\"" + result + "\"[^}]*} ([0-9.eE+-]+)$",
                Pattern.MULTILINE).matcher(i.scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** name → resourceVersion of every Customs report of both formats in the test namespaces. */
    private static Map<String, String> versions() {
        Map<String, String> out = new TreeMap<>();
        for (String ns : List.of(NS, HUGE)) {
            for (JsonNode r : openReports(ns)) {
                out.put("openreports/" + ns + "/" + r.at("/metadata/name").asText(),
                        r.at("/metadata/resourceVersion").asText());
            }
            for (JsonNode r : policyReports(ns)) {
                out.put("wgpolicyk8s/" + ns + "/" + r.at("/metadata/name").asText(),
                        r.at("/metadata/resourceVersion").asText());
            }
        }
        return out;
    }

    /** The audit's Events in the test namespaces: name → series count (0 for a single Event). */
    private static Map<String, Integer> auditEvents() {
        Map<String, Integer> out = new TreeMap<>();
        for (String ns : List.of(NS, HUGE)) {
            for (Event e : admin.events().v1().events().inNamespace(ns).list().getItems()) {
                if ("Audited".equals(e.getAction())) {
                    out.put(ns + "/" + e.getMetadata().getName(),
                            e.getSeries() == null ? 0 : e.getSeries().getCount());
                }
            }
        }
        return out;
    }

    @Test
    @Order(5)
    void aNewLeaderRewritesNoReportAndPostsNoEventAgain() throws Exception {
        b = cluster.replica("customs-reports-b");
        String first = Eventually.get(Duration.ofSeconds(60), "a or b holding the Lease", ReportsProcessIT::holder,
                h -> h.equals(a.name()) || h.equals(b.name()));
        CustomsInstance leader = first.equals(a.name()) ? a : b;
        CustomsInstance follower = leader == a ? b : a;
        // a run of the leader's that found everything as it was: the reports are settled
        Eventually.until(AUDIT, "a leader's run that changed nothing",
                () -> reportsCounter(leader, "unchanged") > 0 && versionsSettled());
        Map<String, String> before = versions();
        Map<String, Integer> events = auditEvents();
        assertThat(before).hasSizeGreaterThan(2 * 40);
        assertThat(events).as("the audit posts Events in the e2e values").isNotEmpty();
        double lastRun = metric(follower, "customs_audit_last_run_timestamp_seconds");
        Map<String, Double> counted = new TreeMap<>();
        for (String result : List.of("created", "updated", "unchanged")) {
            counted.put(result, reportsCounter(follower, result));
        }

        leader.kill();
        Eventually.get(Duration.ofSeconds(60), "the follower holding the Lease", ReportsProcessIT::holder,
                follower.name()::equals);
        // the new leader's first run: it read the reports' content hashes back and found nothing changed
        Eventually.until(AUDIT, "the new leader's first run",
                () -> metric(follower, "customs_audit_last_run_timestamp_seconds") > lastRun);
        assertThat(reportsCounter(follower, "unchanged") - counted.get("unchanged"))
                .isGreaterThanOrEqualTo(before.size());
        assertThat(reportsCounter(follower, "created")).isEqualTo(counted.get("created"));
        assertThat(reportsCounter(follower, "updated")).isEqualTo(counted.get("updated"));
        assertThat(versions()).isEqualTo(before);
        assertThat(auditEvents()).isEqualTo(events);
    }

    /** Two reads of every report's resourceVersion a few seconds apart agree. */
    private static boolean versionsSettled() {
        Map<String, String> one = versions();
        try {
            Thread.sleep(4_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return one.equals(versions());
    }
}
