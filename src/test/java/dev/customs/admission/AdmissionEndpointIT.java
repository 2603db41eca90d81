package dev.customs.admission;

import static dev.customs.admission.Reviews.asCreate;
import static dev.customs.admission.Reviews.assertAllowedSilently;
import static dev.customs.admission.Reviews.assertAllowedUnverified;
import static dev.customs.admission.Reviews.assertDenied;
import static dev.customs.admission.Reviews.post;
import static dev.customs.admission.Reviews.read;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.Reviews.Cause;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code POST /validate} of a booted Customs with AdmissionReviews as the kube-apiserver sends them
 * ({@code src/test/resources/admission/}): every kind and operation, the updates that are and are not evaluated, the
 * exact shape of a denial, and the {@code examples/} of the README. The production image inspector reaches no
 * registry, so only pod-spec rules deny here and image rules answer {@code [image-unverified]} warnings.
 */
@QuarkusTest
class AdmissionEndpointIT {

    /**
     * Every kind, CREATE and UPDATE, with findings in the object's own coordinates. A CREATE has a root init container
     * and a {@code :latest} sidecar; an UPDATE of a clean object pins the sidecar to {@code :latest}. A Job's pod
     * template is immutable, so its UPDATE changes the nodeSelector of a suspended Job, which can change an image's
     * platform and so is evaluated in full.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            pod-create                   | run-as-root spec.initContainers[0].securityContext.runAsUser; latest-tag spec.containers[1].image
            pod-update                   | latest-tag spec.containers[1].image
            deployment-create            | run-as-root spec.template.spec.initContainers[0].securityContext.runAsUser; latest-tag spec.template.spec.containers[1].image
            deployment-update            | latest-tag spec.template.spec.containers[1].image
            replicaset-create            | run-as-root spec.template.spec.initContainers[0].securityContext.runAsUser; latest-tag spec.template.spec.containers[1].image
            replicaset-update            | latest-tag spec.template.spec.containers[1].image
            statefulset-create           | run-as-root spec.template.spec.initContainers[0].securityContext.runAsUser; latest-tag spec.template.spec.containers[1].image
            statefulset-update           | latest-tag spec.template.spec.containers[1].image
            daemonset-create             | run-as-root spec.template.spec.initContainers[0].securityContext.runAsUser; latest-tag spec.template.spec.containers[1].image
            daemonset-update             | latest-tag spec.template.spec.containers[1].image
            job-create                   | run-as-root spec.template.spec.initContainers[0].securityContext.runAsUser; latest-tag spec.template.spec.containers[1].image
            job-update                   | run-as-root spec.template.spec.initContainers[0].securityContext.runAsUser; latest-tag spec.template.spec.containers[1].image
            cronjob-create               | run-as-root spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.runAsUser; latest-tag spec.jobTemplate.spec.template.spec.containers[1].image
            cronjob-update               | latest-tag spec.jobTemplate.spec.template.spec.containers[1].image
            replicationcontroller-create | run-as-root spec.template.spec.initContainers[0].securityContext.runAsUser; latest-tag spec.template.spec.containers[1].image
            replicationcontroller-update | latest-tag spec.template.spec.containers[1].image
            """)
    void everyKindIsDeniedWithFieldPathsInItsOwnCoordinates(String fixture, String causes) {
        ObjectNode request = read("kinds/" + fixture + ".json");
        JsonNode review = post(request);
        assertThat(assertDenied(request, review)).containsExactlyInAnyOrderElementsOf(Cause.list(causes));
        assertThat(Reviews.warnings(review)).allSatisfy(w -> assertThat(w).startsWith("[image-unverified] "));
    }

    @Test
    void everyKindFixtureIsChecked() {
        Set<String> expected = new TreeSet<>();
        for (String kind : List.of("pod", "deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob",
                "replicationcontroller")) {
            expected.add(kind + "-create.json");
            expected.add(kind + "-update.json");
        }
        assertThat(Reviews.folder("kinds")).isEqualTo(expected);
    }

    /**
     * {@code kubectl debug} adds an ephemeral container to a running pod that already violates (root container,
     * {@code :latest} sidecar, hostNetwork). Only the new container is evaluated: the pod's own findings do not stop
     * someone from debugging it.
     */
    @Test
    void kubectlDebugEvaluatesOnlyTheAddedEphemeralContainer() {
        ObjectNode request = read("ephemeral/debug-added.json");
        List<String> warnings = assertAllowedUnverified(post(request));
        assertThat(warnings).singleElement().asString().startsWith("[image-unverified] busybox:1.36.1: ")
                .contains("ephemeral container \"debugger-7xk2p\"");

        // the pod itself is denied when it is evaluated in full
        ObjectNode create = asCreate(request);
        assertThat(assertDenied(create, post(create))).extracting(Cause::reason).contains("run-as-root", "latest-tag",
                "host-network");
    }

    /** A root ephemeral container is denied; the one added earlier and the pod's own findings are not reported. */
    @Test
    void aRootEphemeralContainerIsDenied() {
        ObjectNode request = read("ephemeral/debug-root.json");
        JsonNode review = post(request);
        assertThat(assertDenied(request, review)).containsExactly(
                new Cause("run-as-root", "spec.ephemeralContainers[1].securityContext.runAsUser"));
        assertThat(review.at("/response/status/message").asText())
                .contains("ephemeral container \"debugger-q9m4d\" (image nicolaka/netshoot:v0.13)");
        assertThat(Reviews.warnings(review)).allSatisfy(w -> assertThat(w).contains("nicolaka/netshoot:v0.13"));
    }

    @Test
    void everyEphemeralFixtureIsChecked() {
        assertThat(Reviews.folder("ephemeral")).containsExactly("debug-added.json", "debug-root.json");
    }

    /**
     * Allowed without evaluation, though each object (or the pod it belongs to) would violate: DELETE, CONNECT, kinds
     * that hold no pod spec, and subresources other than ephemeralcontainers.
     */
    @ParameterizedTest
    @ValueSource(strings = { "pod-delete.json", "pod-exec-connect.json", "configmap-create.json",
            "service-create.json", "pod-status-update.json", "deployment-scale-update.json" })
    void isAllowedWithoutEvaluation(String fixture) {
        assertAllowedSilently(post("skipped/" + fixture));
    }

    @Test
    void theSubresourceUpdatesAreOfObjectsThatViolate() {
        ObjectNode status = read("skipped/pod-status-update.json");
        assertThat(assertDenied(asCreate(status), post(asCreate(status)))).isNotEmpty();
        ObjectNode delete = read("skipped/pod-delete.json");
        ObjectNode create = asCreate(delete);
        ((ObjectNode) create.get("request")).set("object", delete.at("/request/oldObject"));
        assertThat(assertDenied(create, post(create))).isNotEmpty();
    }

    @Test
    void everySkippedFixtureIsChecked() {
        assertThat(Reviews.folder("skipped")).containsExactlyInAnyOrder("pod-delete.json", "pod-exec-connect.json",
                "configmap-create.json", "service-create.json", "pod-status-update.json",
                "deployment-scale-update.json");
    }

    /**
     * An update that cannot change any rule's verdict is allowed on an object that already violates, so people can
     * still label, annotate, scale, restart and clean up what exists.
     */
    @ParameterizedTest
    @ValueSource(strings = { "deployment-labels.json", "deployment-annotations.json", "deployment-replicas.json",
            "deployment-rollout-restart.json", "deployment-status.json", "pod-active-deadline.json",
            "pod-tolerations.json", "pod-labels.json" })
    void anUpdateThatCannotChangeTheVerdictIsAllowed(String fixture) {
        ObjectNode request = read("update/" + fixture);
        assertAllowedSilently(post(request));

        ObjectNode create = asCreate(request);
        assertThat(assertDenied(create, post(create))).as("the object itself violates").isNotEmpty();
    }

    /**
     * The pod-level {@code runAsUser: 0} applies to the two containers that do not override it (the init container
     * does): one finding each, both pointing at the pod-level field.
     */
    @Test
    void anUpdateThatChangesASecurityContextIsEvaluated() {
        ObjectNode request = read("update/deployment-security-context.json");
        JsonNode review = post(request);
        Cause podRunAsUser = new Cause("run-as-root", "spec.template.spec.securityContext.runAsUser");
        assertThat(assertDenied(request, review)).containsExactly(podRunAsUser, podRunAsUser);
        assertThat(review.at("/response/status/message").asText().lines()).satisfiesExactlyInAnyOrder(
                line -> assertThat(line).contains("container \"checkout\" (image registry.example.com/shop/checkout:1.4.2)"),
                line -> assertThat(line).contains("container \"log-shipper\" (image fluent/fluent-bit:3.1.9)"));
    }

    /** An image update on a pod is evaluated in full: the existing findings are reported with the new one. */
    @Test
    void anUpdateThatChangesAnImageIsEvaluated() {
        ObjectNode request = read("update/pod-image.json");
        assertThat(assertDenied(request, post(request))).containsExactlyInAnyOrder(
                new Cause("run-as-root", "spec.containers[0].securityContext.runAsUser"),
                new Cause("host-network", "spec.hostNetwork"),
                new Cause("latest-tag", "spec.containers[0].image"));
    }

    @Test
    void everyUpdateFixtureIsChecked() {
        assertThat(Reviews.folder("update")).containsExactlyInAnyOrder("deployment-labels.json",
                "deployment-annotations.json", "deployment-replicas.json", "deployment-rollout-restart.json",
                "deployment-status.json", "pod-active-deadline.json", "pod-tolerations.json", "pod-labels.json",
                "deployment-security-context.json", "pod-image.json");
    }

    /** {@code admission.k8s.io/v1beta1} is answered in v1beta1 ({@link Reviews#post} checks the echo). */
    @Test
    void aV1beta1ReviewIsAnsweredInV1beta1() {
        ObjectNode denied = read("v1beta1/pod-create.json");
        JsonNode review = post(denied);
        assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1beta1");
        assertThat(assertDenied(denied, review)).containsExactlyInAnyOrder(
                new Cause("run-as-root", "spec.initContainers[0].securityContext.runAsUser"),
                new Cause("latest-tag", "spec.containers[1].image"));

        JsonNode allowed = post("v1beta1/deployment-create-allowed.json");
        assertThat(allowed.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1beta1");
        assertThat(assertAllowedUnverified(allowed)).isNotEmpty();
    }

    @Test
    void everyV1beta1FixtureIsChecked() {
        assertThat(Reviews.folder("v1beta1")).containsExactlyInAnyOrder("pod-create.json",
                "deployment-create-allowed.json");
    }

    /**
     * The README's denied example carries five pod-spec findings; each is one message line and one cause, and the
     * message is exactly the lines joined.
     */
    @Test
    void theDenialHasTheShapeOfDesignMd() {
        ObjectNode request = read(Path.of("examples", "denied-pod.json"));
        JsonNode review = post(request);
        List<Cause> causes = assertDenied(request, review);
        assertThat(causes).containsExactlyInAnyOrder(new Cause("run-as-root", "spec.securityContext.runAsUser"),
                new Cause("host-network", "spec.hostNetwork"),
                new Cause("docker-socket", "spec.volumes[0].hostPath.path"),
                new Cause("latest-tag", "spec.containers[0].image"),
                new Cause("shell-form-entrypoint", "spec.containers[0].command"));
        JsonNode status = review.at("/response/status");
        assertThat(status.at("/details/name").asText()).isEqualTo("build-agent");
        assertThat(status.at("/details/kind").asText()).isEqualTo("pods");
        String message = status.path("message").asText();
        assertThat(message).doesNotEndWith("\n").doesNotContain("\n\n");
        assertThat(message.lines()).allSatisfy(line -> assertThat(line)
                .contains("container \"agent\"").contains("jenkins/inbound-agent:latest"));
        // image rules could not decide: a warning each, never a denial
        assertThat(Reviews.warnings(review)).singleElement().asString()
                .startsWith("[image-unverified] jenkins/inbound-agent:latest: ");
    }

    @Test
    void theAllowedExampleIsAllowedWithAnImageUnverifiedWarning() {
        JsonNode review = post(read(Path.of("examples", "allowed-deployment.json")));
        assertThat(assertAllowedUnverified(review)).singleElement().asString()
                .startsWith("[image-unverified] nginxinc/nginx-unprivileged:1.27.3@sha256:");
    }

    /** A dry run is evaluated like any request: {@code kubectl apply --dry-run=server} must show the denial. */
    @Test
    void aDryRunIsEvaluated() {
        ObjectNode request = read("kinds/deployment-create.json");
        ((ObjectNode) request.get("request")).put("dryRun", true);
        assertThat(assertDenied(request, post(request))).hasSize(2);
    }
}
