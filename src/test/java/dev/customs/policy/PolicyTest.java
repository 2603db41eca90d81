package dev.customs.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.customs.rules.ContainerView;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageUnverified;
import dev.customs.rules.Violation;

class PolicyTest {

    private static final Clock NOV_2026 = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

    private static Violation violation(String rule, String image) {
        return new Violation(rule, "app", image, "spec.containers[0].image", "problem", "fix");
    }

    private static Policy policy(Map<String, Action> actions, OnError onError, List<Exemption> exemptions,
            Map<String, Map<String, String>> labels, List<Exemption> expired) {
        return new Policy(actions, onError, exemptions, ns -> labels.getOrDefault(ns, Map.of()), NOV_2026,
                expired::add);
    }

    private static Exemption exemption(String name, Set<String> namespaces, List<String> images, Set<String> rules,
            LocalDate expires) {
        return new Exemption(name, namespaces, images, Set.of(), Set.of(), rules, "test", expires);
    }

    @Test
    void everyRuleEnforcesByDefault() {
        Policy p = Policy.enforceAll();
        Decision d = p.decide(new Evaluation(List.of(violation("run-as-root", "nginx:1")), List.of()),
                Requester.namespace("app"));
        assertThat(d.allowed()).isFalse();
        assertThat(d.denialLines()).containsExactly("[run-as-root] problem: fix");
    }

    @Test
    void imageSizeAndBaseImageWarnUnlessConfigured() {
        Policy p = policy(Map.of(), OnError.WARN, List.of(), Map.of(), new ArrayList<>());
        assertThat(p.configuredAction("image-size")).isEqualTo(Action.WARN);
        assertThat(p.configuredAction("base-image")).isEqualTo(Action.WARN);
        assertThat(p.configuredAction("latest-tag")).isEqualTo(Action.ENFORCE);
        Decision d = p.decide(new Evaluation(List.of(violation("image-size", "big:1"), violation("base-image",
                "big:1")), List.of()), Requester.namespace("app"));
        assertThat(d.allowed()).isTrue();
        assertThat(d.warnings()).containsExactly("[image-size] problem: fix", "[base-image] problem: fix");
        Policy strict = policy(Map.of("image-size", Action.ENFORCE), OnError.WARN, List.of(), Map.of(),
                new ArrayList<>());
        assertThat(strict.configuredAction("image-size")).isEqualTo(Action.ENFORCE);
        // a namespace lowering every enforcing rule leaves a warning a warning
        Policy lowered = policy(Map.of(), OnError.WARN, List.of(), Map.of("dev", Map.of("customs.dev/action",
                "audit")), new ArrayList<>());
        assertThat(lowered.actionFor("base-image", "dev")).isEqualTo(Action.WARN);
    }

    @Test
    void configuredActionsWarnAuditAndSwitchOff() {
        Policy p = policy(Map.of("latest-tag", Action.WARN, "oci-labels", Action.AUDIT, "host-network", Action.OFF),
                OnError.WARN, List.of(), Map.of(), new ArrayList<>());
        Decision d = p.decide(new Evaluation(List.of(violation("latest-tag", "nginx"), violation("oci-labels", "x:1"),
                violation("host-network", null)), List.of()), Requester.namespace("app"));
        assertThat(d.allowed()).isTrue();
        assertThat(d.warnings()).containsExactly("[latest-tag] problem: fix");
        assertThat(d.auditAnnotations()).containsEntry(Decision.AUDIT_ANNOTATION, "[oci-labels] problem: fix");
        assertThat(p.active("app").test("host-network")).isFalse();
    }

    @Test
    void unknownRuleIdFailsFast() {
        assertThatThrownBy(() -> policy(Map.of("run-as-rot", Action.WARN), OnError.WARN, List.of(), Map.of(),
                new ArrayList<>())).hasMessageContaining("run-as-rot");
        assertThatThrownBy(() -> policy(Map.of(), OnError.WARN,
                List.of(exemption("x", Set.of("a"), List.of(), Set.of("nope"), null)), Map.of(), new ArrayList<>()))
                .hasMessageContaining("customs.exemptions.\"x\".rules");
    }

    @Test
    void namespaceLabelsLowerEnforcingRulesAndSetSingleRules() {
        Policy p = policy(Map.of("oci-labels", Action.AUDIT), OnError.WARN, List.of(),
                Map.of("team-a", Map.of("customs.dev/action", "warn"), "team-b",
                        Map.of("customs.dev/rule.run-as-root", "off", "customs.dev/rule.oci-labels", "enforce"),
                        "team-c", Map.of("customs.dev/action", "enforce", "customs.dev/rule.latest-tag", "bogus")),
                new ArrayList<>());
        assertThat(p.actionFor("run-as-root", "team-a")).isEqualTo(Action.WARN);
        // only enforcing rules are lowered; an audited rule stays audited
        assertThat(p.actionFor("oci-labels", "team-a")).isEqualTo(Action.AUDIT);
        assertThat(p.actionFor("run-as-root", "team-b")).isEqualTo(Action.OFF);
        assertThat(p.actionFor("oci-labels", "team-b")).isEqualTo(Action.ENFORCE);
        // customs.dev/action can only lower; a bad value is ignored
        assertThat(p.actionFor("run-as-root", "team-c")).isEqualTo(Action.ENFORCE);
        assertThat(p.actionFor("latest-tag", "team-c")).isEqualTo(Action.ENFORCE);
        assertThat(p.actionFor("run-as-root", "elsewhere")).isEqualTo(Action.ENFORCE);
    }

    @Test
    void exemptionsByNamespaceImageUserAndGroupStillCountAsExempted() {
        List<Exemption> exemptions = List.of(
                exemption("busybox", Set.of(), List.of("docker.io/library/busybox:*"), Set.of(), null),
                exemption("pause", Set.of(), List.of("registry.k8s.io/pause@sha256:*"), Set.of("run-as-root"), null),
                exemption("system", Set.of("kube-system"), List.of(), Set.of(), null),
                new Exemption("ci-bot", Set.of(), List.of(), Set.of("system:serviceaccount:ci:bot"), Set.of(),
                        Set.of("latest-tag"), "ci", null),
                new Exemption("admins", Set.of(), List.of(), Set.of(), Set.of("platform-admins"), Set.of(), "ops",
                        null));
        Policy p = policy(Map.of(), OnError.WARN, exemptions, Map.of(), new ArrayList<>());
        String pause = "registry.k8s.io/pause@sha256:" + "a".repeat(64);
        Decision d = p.decide(new Evaluation(List.of(violation("run-as-root", "busybox"),
                violation("latest-tag", "busybox:1.36"), violation("run-as-root", pause),
                violation("latest-tag", pause), violation("host-network", null)), List.of()),
                Requester.namespace("app"));
        assertThat(d.exempted()).extracting(Decision.Finding::exemption).containsExactly("busybox", "busybox",
                "pause");
        assertThat(d.denied()).extracting(Decision.Finding::rule).containsExactly("latest-tag", "host-network");
        assertThat(d.exempted()).allMatch(f -> f.actionLabel().equals("exempted"));

        assertThat(p.decide(new Evaluation(List.of(violation("host-network", null)), List.of()),
                Requester.namespace("kube-system")).allowed()).isTrue();
        assertThat(p.decide(new Evaluation(List.of(violation("latest-tag", "x")), List.of()),
                new Requester("app", "system:serviceaccount:ci:bot", List.of(), false)).allowed()).isTrue();
        assertThat(p.decide(new Evaluation(List.of(violation("run-as-root", "x:1")), List.of()),
                new Requester("app", "system:serviceaccount:ci:bot", List.of(), false)).allowed()).isFalse();
        assertThat(p.decide(new Evaluation(List.of(violation("run-as-root", "x:1")), List.of()),
                new Requester("app", "alice", List.of("devs", "platform-admins"), false)).allowed()).isTrue();
    }

    @Test
    void expiredExemptionStopsApplyingAndIsReportedOnce() {
        List<Exemption> expired = new ArrayList<>();
        Policy p = policy(Map.of(), OnError.WARN,
                List.of(exemption("legacy", Set.of("legacy"), List.of(), Set.of(), LocalDate.parse("2026-11-21")),
                        exemption("today", Set.of("today"), List.of(), Set.of(), LocalDate.parse("2026-11-22"))),
                Map.of(), expired);
        Evaluation root = new Evaluation(List.of(violation("run-as-root", "x:1")), List.of());
        assertThat(p.decide(root, Requester.namespace("legacy")).allowed()).isFalse();
        assertThat(p.decide(root, Requester.namespace("legacy")).allowed()).isFalse();
        assertThat(expired).extracting(Exemption::name).containsExactly("legacy");
        // the expiry day itself still applies
        assertThat(p.decide(root, Requester.namespace("today")).allowed()).isTrue();
    }

    @Test
    void anExemptionStopsApplyingAtMidnightUtcAfterItsLastDay() {
        Instant[] now = { Instant.parse("2026-11-22T23:59:59Z") };
        Clock moving = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        List<Exemption> expired = new ArrayList<>();
        Policy p = new Policy(Map.of(), OnError.WARN,
                List.of(exemption("today", Set.of("today"), List.of(), Set.of(), LocalDate.parse("2026-11-22"))),
                ns -> Map.of(), moving, expired::add);
        Evaluation root = new Evaluation(List.of(violation("run-as-root", "x:1")), List.of());
        assertThat(p.decide(root, Requester.namespace("today")).allowed()).isTrue();
        assertThat(p.decide(root, Requester.namespace("other")).allowed()).as("another namespace").isFalse();
        now[0] = Instant.parse("2026-11-23T00:00:00Z");
        assertThat(p.decide(root, Requester.namespace("today")).allowed()).isFalse();
        assertThat(p.liveExemptions()).isEmpty();
        assertThat(expired).extracting(Exemption::name).containsExactly("today");
    }

    @Test
    void unverifiedImagesFollowOnErrorButNeverExceedTheirRules() {
        ContainerView c = ContainerView.of(ContainerView.Kind.REGULAR, 0, "app", "x:1", "spec");
        Evaluation ev = new Evaluation(List.of(),
                List.of(new ImageUnverified("x:1", "registry down", List.of(c), List.of("run-as-root", "oci-labels"))));
        assertThat(policy(Map.of(), OnError.DENY, List.of(), Map.of(), new ArrayList<>())
                .decide(ev, Requester.namespace("a")).allowed()).isFalse();
        assertThat(policy(Map.of(), OnError.WARN, List.of(), Map.of(), new ArrayList<>())
                .decide(ev, Requester.namespace("a")).warnings()).hasSize(1).allMatch(w -> w.startsWith(
                        "[image-unverified] x:1: registry down"));
        assertThat(policy(Map.of(), OnError.ALLOW, List.of(), Map.of(), new ArrayList<>())
                .decide(ev, Requester.namespace("a")).findings()).isEmpty();
        // deny is capped by the strongest rule the image kept from deciding: both only warn here
        Decision capped = policy(Map.of("run-as-root", Action.WARN, "oci-labels", Action.AUDIT), OnError.DENY,
                List.of(), Map.of(), new ArrayList<>()).decide(ev, Requester.namespace("a"));
        assertThat(capped.allowed()).isTrue();
        assertThat(capped.warned()).hasSize(1);
    }

    @Test
    void warningsStayWithinTheApiserverLimits() {
        List<Violation> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new Violation("latest-tag", "c" + i, "img" + i, "f", "x".repeat(300), "fix"));
        }
        Decision d = policy(Map.of("latest-tag", Action.WARN), OnError.WARN, List.of(), Map.of(), new ArrayList<>())
                .decide(new Evaluation(many, List.of()), Requester.namespace("a"));
        List<String> w = d.warnings();
        assertThat(w).allMatch(s -> s.length() <= Decision.MAX_WARNING);
        assertThat(w.stream().mapToInt(String::length).sum()).isLessThanOrEqualTo(Decision.MAX_WARNINGS_TOTAL);
        assertThat(w.get(0)).startsWith("[latest-tag] ");
        // ten listed, the rest counted in one line
        assertThat(w).hasSize(11);
        assertThat(w.get(w.size() - 1)).isEqualTo("[latest-tag] and 30 more findings of this rule, not listed");
    }
}
