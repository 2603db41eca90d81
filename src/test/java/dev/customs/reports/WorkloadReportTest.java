package dev.customs.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import dev.customs.policy.Action;
import dev.customs.policy.Decision;
import dev.customs.policy.Exemption;
import dev.customs.policy.NamespaceLabels;
import dev.customs.policy.OnError;
import dev.customs.policy.Policy;
import dev.customs.policy.Requester;
import dev.customs.reports.ReportResult.Outcome;
import dev.customs.reports.ReportResult.Severity;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;

/**
 * Reports built from the real rule engine and policy, nothing booted: results and severities, exemptions and
 * uninspectable images, the cap that keeps a report far below etcd's limit, and the content hash that decides whether a
 * report is written again.
 */
class WorkloadReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RuleEngine ENGINE = new RuleEngine(RuleRegistry.defaults());
    private static final Scope SCOPE = new Scope("apps/v1", "Deployment", "shop", "web",
            "6b1e0d2c-4f7a-4b8e-9c1d-2a3b4c5d6e7f");
    /** A compliant image: numeric user, exec-form entrypoint, every required label. */
    private static final ImageFacts GOOD = ImageFacts.Resolved.of(new ImageConfig(null, "10001", List.of("/app"),
            List.of(), List.of(), Map.of("org.opencontainers.image.title", "t", "org.opencontainers.image.source", "s",
                    "org.opencontainers.image.version", "v", "org.opencontainers.image.revision", "r"),
            List.of()));

    private static Policy policy(Map<String, Action> actions, List<Exemption> exemptions) {
        return new Policy(actions, OnError.WARN, exemptions, NamespaceLabels.NONE, Clock.systemUTC(), e -> {
        });
    }

    private static ObjectNode deployment(int containers, String imagePrefix, boolean hostNetwork) {
        ObjectNode d = JSON.createObjectNode();
        d.put("apiVersion", "apps/v1").put("kind", "Deployment");
        d.putObject("metadata").put("name", "web").put("namespace", "shop");
        ObjectNode spec = d.putObject("spec").putObject("template").putObject("spec");
        spec.putObject("securityContext").put("runAsNonRoot", true).put("runAsUser", 10001);
        if (hostNetwork) {
            spec.put("hostNetwork", true);
        }
        ArrayNode cs = spec.putArray("containers");
        for (int i = 0; i < containers; i++) {
            cs.addObject().put("name", "c" + i).put("image", imagePrefix + i + ":1.0").putArray("command").add("/app");
        }
        return d;
    }

    private record Built(Evaluation evaluation, Decision decision, Map<String, Action> actions) {
    }

    private static Built evaluate(ObjectNode object, ImageLookup images, Policy policy) throws Exception {
        PodView view = new PodViewMapper(JSON).toView(WorkloadKind.DEPLOYMENT, object, "shop", "web");
        Predicate<String> active = policy.active("shop");
        Evaluation ev = ENGINE.evaluate(view, images, active);
        Decision d = policy.decide(ev, Requester.namespace("shop"));
        Map<String, Action> actions = new LinkedHashMap<>();
        for (String id : RuleRegistry.IDS) {
            Action a = policy.actionFor(id, "shop");
            if (a != Action.OFF && ENGINE.evaluates(id)) {
                actions.put(id, a);
            }
        }
        return new Built(ev, d, actions);
    }

    private static WorkloadReport report(Built b, int maxResults) {
        return WorkloadReport.build(SCOPE, b.evaluation(), b.decision(), b.actions(), maxResults);
    }

    @Test
    void aFindingFailsAndEveryOtherActiveRulePasses() throws Exception {
        Built b = evaluate(deployment(1, "registry.example/app", true), c -> GOOD,
                policy(Map.of("host-network", Action.WARN, "oci-labels", Action.OFF), List.of()));
        WorkloadReport r = report(b, 100);

        assertThat(r.results()).first().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("host-network");
            assertThat(x.outcome()).isEqualTo(Outcome.FAIL);
            assertThat(x.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(x.message()).startsWith("[host-network] ");
            assertThat(x.properties()).containsEntry("field", "spec.template.spec.hostNetwork")
                    .containsEntry("action", "warn");
        });
        assertThat(r.results().stream().filter(x -> x.outcome() == Outcome.PASS).map(ReportResult::rule))
                .containsExactly("run-as-root", "non-root-conflict", "docker-socket", "latest-tag",
                        "shell-form-entrypoint", "leaked-secret", "base-image");
        // image-size has no limit by default, so it checks nothing and is not counted as passed; base-image warns
        assertThat(r.results().stream().filter(x -> x.outcome() == Outcome.PASS && !x.rule().equals("base-image"))
                .map(ReportResult::severity)).containsOnly(Severity.HIGH);
        assertThat(r.results().stream().filter(x -> x.rule().equals("base-image")).map(ReportResult::severity))
                .containsExactly(Severity.MEDIUM);
        assertThat(r.summary()).containsEntry(Outcome.FAIL, 1).containsEntry(Outcome.PASS, 7)
                .containsEntry(Outcome.ERROR, 0).containsEntry(Outcome.SKIP, 0);
        assertThat(r.omitted()).isZero();
        assertThat(r.hasFailures()).isTrue();
    }

    @Test
    void severityFollowsTheAction() {
        assertThat(WorkloadReport.severity(Action.ENFORCE)).isEqualTo(Severity.HIGH);
        assertThat(WorkloadReport.severity(Action.WARN)).isEqualTo(Severity.MEDIUM);
        assertThat(WorkloadReport.severity(Action.AUDIT)).isEqualTo(Severity.LOW);
        assertThat(WorkloadReport.severity(null)).isEqualTo(Severity.INFO);
    }

    @Test
    void anExemptedFindingIsSkippedAndNamesItsExemption() throws Exception {
        Exemption legacy = new Exemption("legacy", Set.of("shop"), List.of(), Set.of(), Set.of(),
                Set.of("host-network"), "migrating", null);
        WorkloadReport r = report(evaluate(deployment(1, "registry.example/app", true), c -> GOOD,
                policy(Map.of(), List.of(legacy))), 100);

        ReportResult skipped = r.results().stream().filter(x -> x.rule().equals("host-network")).findFirst()
                .orElseThrow();
        assertThat(skipped.outcome()).isEqualTo(Outcome.SKIP);
        assertThat(skipped.properties()).containsEntry("exemption", "legacy");
        assertThat(r.summary()).containsEntry(Outcome.SKIP, 1).containsEntry(Outcome.FAIL, 0);
        assertThat(r.hasFailures()).isFalse();
    }

    @Test
    void anImageThatCannotBeReadIsAnErrorAndItsRulesDoNotPass() throws Exception {
        ImageLookup gone = c -> new ImageFacts.Unavailable("registry said 404");
        WorkloadReport r = report(evaluate(deployment(1, "registry.example/app", false), gone,
                policy(Map.of(), List.of())), 100);

        ReportResult error = r.results().get(0);
        assertThat(error.rule()).isEqualTo("image-unverified");
        assertThat(error.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(error.message()).contains("registry said 404");
        // the pod sets runAsUser and command, so only the label, secret and base rules needed the image
        assertThat(error.properties()).containsEntry("rules", "oci-labels,leaked-secret,base-image");
        assertThat(r.results().stream().filter(x -> x.outcome() == Outcome.PASS).map(ReportResult::rule))
                .containsExactly("run-as-root", "non-root-conflict", "host-network", "docker-socket", "latest-tag",
                        "shell-form-entrypoint");
    }

    @Test
    void aHugeWorkloadIsCappedAndSaysHowManyResultsWereLeftOut() throws Exception {
        // 2,000 containers, each on a tag-less image with a long name: 2,000 latest-tag failures (and oci-labels ones)
        String longName = "registry.example/" + "team/".repeat(40) + "app";
        ImageLookup unlabelled = c -> ImageFacts.Resolved.of(ImageConfig.withUser("10001"));
        ObjectNode d = deployment(2000, longName, false);
        d.at("/spec/template/spec/containers").forEach(c -> ((ObjectNode) c).put("image",
                c.get("image").asText().replace(":1.0", "")));
        Built b = evaluate(d, unlabelled, policy(Map.of(), List.of()));
        WorkloadReport r = report(b, 100);

        int total = r.summary().values().stream().mapToInt(Integer::intValue).sum();
        assertThat(r.summary().get(Outcome.FAIL)).isGreaterThanOrEqualTo(4000);
        assertThat(r.results()).hasSize(100);
        assertThat(r.omitted()).isEqualTo(total - 100);
        assertThat(r.results()).allMatch(x -> x.outcome() == Outcome.FAIL);

        ObjectNode doc = ReportDocument.render(ReportFormat.OPENREPORTS, r, Instant.now(), JSON);
        assertThat(doc.at("/metadata/annotations/customs.dev~1results-omitted").asText())
                .isEqualTo(Integer.toString(total - 100));
        assertThat(doc.at("/configuration/limits/maxResults").asInt()).isEqualTo(100);
        assertThat(JSON.writeValueAsBytes(doc).length).isLessThan(256 * 1024);

        // a cap set far too high is still held by the byte budget, well under etcd's 1.5 MiB
        WorkloadReport unbounded = report(b, 1_000_000);
        assertThat(unbounded.omitted()).isPositive();
        assertThat(unbounded.results().stream().mapToLong(WorkloadReport::estimatedBytes).sum())
                .isLessThanOrEqualTo(WorkloadReport.MAX_RESULT_BYTES);
        byte[] bytes = JSON.writeValueAsBytes(ReportDocument.render(ReportFormat.OPENREPORTS, unbounded,
                Instant.now(), JSON));
        assertThat(bytes.length).isBetween(WorkloadReport.MAX_RESULT_BYTES / 2, 1024 * 1024);
    }

    @Test
    void longMessagesAndPropertiesAreCutAtACodePoint() {
        String s = "é".repeat(10) + "😀".repeat(2000);
        String cut = WorkloadReport.cut(s, WorkloadReport.MAX_MESSAGE);
        assertThat(cut).hasSizeLessThanOrEqualTo(WorkloadReport.MAX_MESSAGE).endsWith("…");
        assertThat(Character.isHighSurrogate(cut.charAt(cut.length() - 2))).isFalse();
        assertThat(WorkloadReport.cut("short", 10)).isEqualTo("short");
    }

    @Test
    void theContentHashChangesWithTheFindingsOnly() throws Exception {
        Policy p = policy(Map.of(), List.of());
        WorkloadReport a = report(evaluate(deployment(2, "registry.example/app", true), c -> GOOD, p), 100);
        WorkloadReport again = report(evaluate(deployment(2, "registry.example/app", true), c -> GOOD, p), 100);
        WorkloadReport fixed = report(evaluate(deployment(2, "registry.example/app", false), c -> GOOD, p), 100);
        WorkloadReport capped = report(evaluate(deployment(2, "registry.example/app", true), c -> GOOD, p), 3);

        assertThat(again.contentHash()).isEqualTo(a.contentHash());
        assertThat(fixed.contentHash()).isNotEqualTo(a.contentHash());
        assertThat(capped.contentHash()).isNotEqualTo(a.contentHash());
        assertThat(a.contentHashHex()).hasSize(16).matches("[0-9a-f]{16}");

        // the write time is not content: two renderings at different times carry the same hash
        JsonNode early = ReportDocument.render(ReportFormat.OPENREPORTS, a, Instant.ofEpochSecond(1), JSON);
        JsonNode late = ReportDocument.render(ReportFormat.OPENREPORTS, again, Instant.ofEpochSecond(2), JSON);
        assertThat(early.at("/metadata/annotations/customs.dev~1content-hash"))
                .isEqualTo(late.at("/metadata/annotations/customs.dev~1content-hash"));
        assertThat(early.at("/results/0/timestamp/seconds").asLong()).isEqualTo(1);
    }

    @Test
    void bothFormatsNameTheObjectAsScopeAndOwner() throws Exception {
        WorkloadReport r = report(evaluate(deployment(1, "registry.example/app", true), c -> GOOD,
                policy(Map.of(), List.of())), 100);
        for (ReportFormat f : ReportFormat.values()) {
            JsonNode doc = ReportDocument.render(f, r, Instant.ofEpochSecond(1_700_000_000L), JSON);
            assertThat(doc.get("apiVersion").asText()).isEqualTo(f.apiVersion());
            assertThat(doc.get("kind").asText()).isEqualTo(f.kind());
            assertThat(doc.at("/metadata/name").asText()).isEqualTo("customs-" + SCOPE.uid());
            assertThat(doc.at("/metadata/namespace").asText()).isEqualTo("shop");
            assertThat(doc.at("/metadata/labels/app.kubernetes.io~1managed-by").asText()).isEqualTo("customs");
            assertThat(doc.at("/metadata/ownerReferences/0")).isEqualTo(JSON.readTree("{\"apiVersion\":\"apps/v1\","
                    + "\"kind\":\"Deployment\",\"name\":\"web\",\"uid\":\"" + SCOPE.uid() + "\"}"));
            assertThat(doc.at("/scope/kind").asText()).isEqualTo("Deployment");
            assertThat(doc.at("/scope/uid").asText()).isEqualTo(SCOPE.uid());
            assertThat(doc.at("/summary")).isEqualTo(JSON.readTree(
                    "{\"pass\":8,\"fail\":1,\"warn\":0,\"error\":0,\"skip\":0}"));
            JsonNode first = doc.at("/results/0");
            assertThat(first.get("policy").asText()).isEqualTo("host-network");
            assertThat(first.get("rule").asText()).isEqualTo("host-network");
            assertThat(first.get("result").asText()).isEqualTo("fail");
            assertThat(first.get("severity").asText()).isEqualTo("high");
            assertThat(first.get("source").asText()).isEqualTo("customs");
            assertThat(first.at("/timestamp/seconds").asLong()).isEqualTo(1_700_000_000L);
            assertThat(doc.has("source")).isEqualTo(f == ReportFormat.OPENREPORTS);
            assertThat(doc.has("configuration")).isEqualTo(f == ReportFormat.OPENREPORTS);
        }
    }
}
