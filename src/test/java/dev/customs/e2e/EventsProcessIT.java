package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Events as the API server stores them: posted under the chart's RBAC, accepted by the API server's own Event
 * validation, on the objects people look at, and deduplicated into series.
 */
@ExtendWith(ClusterExtension.class)
class EventsProcessIT {

    private static final String CONTROLLER = "customs.dev/webhook";
    private static Cluster cluster;
    private static CustomsInstance customs;
    private static KubernetesClient admin;

    @BeforeAll
    static void start(Cluster c) throws Exception {
        cluster = c;
        admin = c.controlPlane().admin();
        customs = c.customs("customs-events");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (customs != null) {
            customs.close();
        }
    }

    private static ControlPlane.Run apply(String manifest, String namespace) {
        return cluster.kubectlWithInput(manifest, "apply", "--namespace", namespace, "-f", "-");
    }

    /** Customs' admission Events in a namespace (the audit's, action Audited, are left out). */
    private static List<Event> events(String namespace) {
        return admin.events().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> CONTROLLER.equals(e.getReportingController()) && !"Audited".equals(e.getAction()))
                .toList();
    }

    @Test
    void aDeploymentAdmittedWithWarningsMakesPodsAndTheEventsLandOnTheDeploymentAndItsReplicaSet() {
        String ns = "team-rollout";
        cluster.controlPlane().namespace(ns, Map.of("customs.dev/action", "warn"));
        ControlPlane.Run r = apply(Manifests.deployment("web", cluster.image(Cluster.ROOT_APP), null, 2), ns);
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.err()).contains("Warning: [run-as-root] ");

        // the controller-manager makes a ReplicaSet and two Pods (Pending: no kubelet); each was reviewed too
        ReplicaSet rs = Eventually.get(Duration.ofSeconds(60), "the Deployment's ReplicaSet",
                () -> admin.apps().replicaSets().inNamespace(ns).list().getItems(), l -> l.size() == 1).get(0);
        List<Pod> pods = Eventually.get(Duration.ofSeconds(60), "the ReplicaSet's pods",
                () -> admin.pods().inNamespace(ns).list().getItems(), l -> l.size() == 2);
        assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo(rs.getMetadata().getName())));

        List<Event> events = Eventually.get(Duration.ofSeconds(30), "Events on the Deployment and the ReplicaSet",
                () -> events(ns), l -> l.stream().anyMatch(e -> e.getRegarding().getKind().equals("Deployment"))
                        && l.stream().anyMatch(e -> e.getRegarding().getKind().equals("ReplicaSet")
                                && e.getSeries() != null && e.getSeries().getCount() >= 3));
        Event onDeployment = events.stream().filter(e -> e.getRegarding().getKind().equals("Deployment")).findFirst()
                .orElseThrow();
        assertThat(onDeployment.getRegarding().getName()).isEqualTo("web");
        assertThat(onDeployment.getRegarding().getApiVersion()).isEqualTo("apps/v1");
        assertThat(onDeployment.getAction()).isEqualTo("Warned");
        assertThat(onDeployment.getType()).isEqualTo("Warning");
        assertThat(onDeployment.getReason()).isEqualTo("PolicyViolation");
        assertThat(onDeployment.getReportingInstance()).isEqualTo("customs-events");
        assertThat(onDeployment.getNote()).startsWith("[run-as-root] ");
        // the ReplicaSet's own review and its pods' (regarding their owner) are one Event with a series
        Event onReplicaSet = events.stream().filter(e -> e.getRegarding().getKind().equals("ReplicaSet")).findFirst()
                .orElseThrow();
        assertThat(onReplicaSet.getRegarding().getName()).isEqualTo(rs.getMetadata().getName());
        assertThat(onReplicaSet.getRegarding().getUid()).isEqualTo(rs.getMetadata().getUid());
        assertThat(events).noneMatch(e -> e.getRegarding().getKind().equals("Pod"));
        // what a developer sees
        ControlPlane.Run described = cluster.kubectl("describe", "replicaset", rs.getMetadata().getName(),
                "--namespace", ns);
        assertThat(described.out()).contains("PolicyViolation").contains("[run-as-root]");
    }

    @Test
    void theSameViolationFiveTimesIsOneEventWhoseSeriesGrows() {
        String ns = "team-repeat";
        cluster.controlPlane().namespace(ns, Map.of());
        for (int i = 1; i <= 5; i++) {
            assertThat(apply(Manifests.pod("again", cluster.image(Cluster.ROOT_APP), null), ns).exit()).isNotZero();
            int expected = i;
            // each repeat reaches the API server before the next, so the count is seen growing one by one
            Event e = Eventually.get(Duration.ofSeconds(30), "one Event, count " + i, () -> events(ns),
                    l -> l.size() == 1 && count(l.get(0)) == expected).get(0);
            assertThat(e.getRegarding().getName()).isEqualTo("again");
            if (i > 1) {
                assertThat(e.getSeries().getLastObservedTime()).isNotNull();
            }
        }
        assertThat(customs.log()).doesNotContain("could not post event");
    }

    private static int count(Event e) {
        return e.getSeries() == null ? 1 : e.getSeries().getCount();
    }

    @Test
    void aDenialWithTenContainersAndMultiByteCommandsStillPostsAnEventWithin1024Bytes() {
        String ns = "team-many";
        cluster.controlPlane().namespace(ns, Map.of());
        String containers = IntStream.range(0, 10)
                .mapToObj(
                        i -> """
                                    - name: worker-%d
                                      image: %s
                                      command: ["sh", "-c", "echo démarrage du travailleur numéro %d … ünïcödé; ./wörker --mode=lönger-than-forty"]
                                """
                                .formatted(i, cluster.image(Cluster.ROOT_APP), i))
                .collect(Collectors.joining());
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: many
                spec:
                  containers:
                %s""".formatted(containers);
        ControlPlane.Run r = apply(pod, ns);
        assertThat(r.exit()).as(r.all()).isNotZero();
        // the denial kubectl shows carries every finding, multi-byte characters included
        assertThat(r.err()).contains("[run-as-root]").contains("[shell-form-entrypoint]").contains("worker-9")
                .contains("…");
        Event e = Eventually.get(Duration.ofSeconds(30), "the Event of the 10-container denial", () -> events(ns),
                l -> l.size() == 1).get(0);
        byte[] note = e.getNote().getBytes(StandardCharsets.UTF_8);
        assertThat(note.length).isLessThanOrEqualTo(1024).isGreaterThan(900);
        assertThat(e.getNote()).startsWith("[").endsWith("…");
        assertThat(customs.log()).doesNotContain("could not post event");
    }

    @Test
    void aVeryLongObjectNameGivesAValidEventName() {
        String ns = "team-long-names";
        cluster.controlPlane().namespace(ns, Map.of());
        // 253 characters, with a "." where a name cut to leave room for a suffix would end
        String name = "x".repeat(199) + "." + "y".repeat(40) + "." + "z".repeat(12);
        assertThat(name).hasSize(253);
        assertThat(apply(Manifests.pod(name, cluster.image(Cluster.ROOT_APP), null).replace("app: " + name,
                "app: long"), ns).exit()).isNotZero();
        Event e = Eventually.get(Duration.ofSeconds(30), "the Event about the long-named pod", () -> events(ns),
                l -> l.size() == 1).get(0);
        assertThat(e.getRegarding().getName()).isEqualTo(name);
        assertThat(e.getMetadata().getName()).hasSizeLessThanOrEqualTo(253);
        assertThat(customs.log()).doesNotContain("could not post event");
    }

    @Test
    void aReviewOfAnObjectWithoutNameOrOwnerIsReportedOnItsNamespaceInThatNamespace() throws Exception {
        String ns = "team-nameless";
        cluster.controlPlane().namespace(ns, Map.of());
        // the API server names generateName objects before validating webhooks run; anyone who can reach Customs'
        // port can still send a review without a name
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "operation":"CREATE","namespace":"%s","userInfo":{"username":"someone"},
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"x-"},
                  "spec":{"containers":[{"name":"c","image":"%s"}]}}}}
                """.formatted(UUID.randomUUID(), ns, cluster.image(Cluster.ROOT_APP));
        HttpResponse<String> answer = customs.review(review);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"allowed\":false");
        Event e = Eventually.get(Duration.ofSeconds(30), "the Event about the nameless pod", () -> events(ns),
                l -> l.size() == 1).get(0);
        assertThat(e.getRegarding().getKind()).isEqualTo("Namespace");
        assertThat(e.getRegarding().getName()).isEqualTo(ns);
        assertThat(e.getRegarding().getNamespace()).isEqualTo(ns);
    }
}
