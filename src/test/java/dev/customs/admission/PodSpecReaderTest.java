package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.rules.ContainerView;
import dev.customs.rules.PodView;

/**
 * {@link PodSpecReader}: the fields the rules use, read from the tree with the Kubernetes model's types and Jackson's
 * default lenience; what is malformed is named by its path, never echoed.
 */
class PodSpecReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PodView read(String spec) throws IOException, BadAdmissionRequest {
        JsonNode node = JSON.readTree(spec);
        return new PodSpecReader("Deployment").read("ns", "web", "spec.template.spec", node);
    }

    @Test
    void everyFieldTheRulesUse() throws Exception {
        PodView pod = read(
                """
                        {"hostNetwork": true, "hostUsers": false, "os": {"name": "linux"},
                         "securityContext": {"runAsUser": 1000, "runAsNonRoot": true, "fsGroup": 2000},
                         "volumes": [{"name": "sock", "hostPath": {"path": "/run/docker.sock"}}, {"name": "tmp", "emptyDir": {}}],
                         "imagePullSecrets": [{"name": "regcred"}, {}],
                         "serviceAccountName": "web", "nodeSelector": {"kubernetes.io/arch": "arm64"},
                         "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                           {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]}}},
                         "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "true"]}],
                         "containers": [{"name": "app", "image": "app:1.0", "args": ["--port", "8080"],
                           "securityContext": {"runAsUser": 0}, "volumeMounts": [{"name": "sock", "mountPath": "/s"}],
                           "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
                           "resources": {"limits": {"cpu": "1"}}, "ports": [{"containerPort": 8080}]}],
                         "ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36"}]}
                        """);
        PodView.Spec s = pod.spec();
        assertThat(s.hostNetwork()).isTrue();
        assertThat(pod.userNamespace()).isTrue();
        assertThat(s.os()).isEqualTo("linux");
        assertThat(s.securityContext()).isEqualTo(new PodView.Security(1000L, true));
        assertThat(s.volumes()).containsExactly(new PodView.Volume("sock", "/run/docker.sock"),
                new PodView.Volume("tmp", null));
        assertThat(s.imagePullSecrets()).containsExactly("regcred");
        assertThat(s.serviceAccountName()).isEqualTo("web");
        assertThat(s.nodeSelector()).containsEntry("kubernetes.io/arch", "arm64");
        assertThat(s.requiredNodeAffinity()).singleElement().extracting(t -> t.matchExpressions().get(0))
                .isEqualTo(new PodView.NodeSelectorRequirement("kubernetes.io/os", "In", java.util.List.of("linux")));

        assertThat(pod.containers()).extracting(ContainerView::kind).containsExactly(ContainerView.Kind.INIT,
                ContainerView.Kind.REGULAR, ContainerView.Kind.EPHEMERAL);
        ContainerView app = pod.containers().get(1);
        assertThat(app.name()).isEqualTo("app");
        assertThat(app.reference().tag()).isEqualTo("1.0");
        assertThat(app.args()).containsExactly("--port", "8080");
        assertThat(app.securityContext().runAsUser()).isZero();
        assertThat(app.volumeMounts()).containsExactly(new ContainerView.Mount("sock", "/s"));
        assertThat(app.env()).containsExactly(new ContainerView.EnvVar("A", "1", false),
                new ContainerView.EnvVar("B", null, true));
        assertThat(app.field("image")).isEqualTo("spec.template.spec.containers[0].image");
        assertThat(pod.containers().get(2).field("image")).isEqualTo("spec.template.spec.ephemeralContainers[0].image");
        assertThat(pod.containers().get(0).command()).containsExactly("sh", "-c", "true");
    }

    @Test
    void anAbsentOrEmptySpecHasNoContainers() throws Exception {
        assertThat(read("{}").containers()).isEmpty();
        assertThat(new PodSpecReader("Pod").read("", "", "spec", null).spec()).isEqualTo(PodView.Spec.EMPTY);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"securityContext": {"runAsUser": "1000"}}       | 1000
            {"securityContext": {"runAsUser": 1000.9}}       | 1000
            {"securityContext": {"runAsUser": ""}}           |
            {"securityContext": {"runAsUser": null}}         |
            """)
    void integersAreReadAsJacksonWould(String spec, Long uid) throws Exception {
        assertThat(read(spec).spec().securityContext().runAsUser()).isEqualTo(uid);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"hostNetwork": "true"}   | true
            {"hostNetwork": "False"}  | false
            {"hostNetwork": 1}        | true
            {"hostNetwork": 0}        | false
            {"hostNetwork": null}     |
            """)
    void booleansAreReadAsJacksonWould(String spec, Boolean hostNetwork) throws Exception {
        assertThat(read(spec).spec().hostNetwork()).isEqualTo(hostNetwork);
    }

    @Test
    void scalarsWhereAStringBelongsAreTheirText() throws Exception {
        ContainerView c = read("{\"containers\": [{\"name\": 7, \"image\": \"a:1\", \"command\": [\"sleep\", 10]}]}")
                .containers().get(0);
        assertThat(c.name()).isEqualTo("7");
        assertThat(c.command()).containsExactly("sleep", "10");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"containers": "app"}                                         | spec.template.spec.containers must be a list
            {"containers": [null]}                                        | spec.template.spec.containers[0] is null
            {"containers": ["app"]}                                       | spec.template.spec.containers[0] must be an object (Container)
            {"containers": [{"image": {"x": 1}}]}                         | spec.template.spec.containers[0].image must be a string
            {"containers": [{"args": ["a", null]}]}                       | spec.template.spec.containers[0].args[1] is null
            {"containers": [{"securityContext": {"runAsUser": "root-x"}}]} | spec.template.spec.containers[0].securityContext.runAsUser must be an integer
            {"containers": [{"securityContext": {"runAsNonRoot": "yes"}}]} | spec.template.spec.containers[0].securityContext.runAsNonRoot must be a boolean
            {"containers": [{"env": [{"name": "A", "valueFrom": "x"}]}]}   | spec.template.spec.containers[0].env[0].valueFrom must be an object (EnvVarSource)
            {"securityContext": "root"}                                   | spec.template.spec.securityContext must be an object (PodSecurityContext)
            {"volumes": [{"name": "v", "hostPath": {"path": ["/"]}}]}     | spec.template.spec.volumes[0].hostPath.path must be a string
            {"nodeSelector": ["a"]}                                       | spec.template.spec.nodeSelector must be a map
            {"hostNetwork": {"on": true}}                                 | spec.template.spec.hostNetwork must be a boolean
            """)
    void malformedFieldsAreNamedNeverEchoed(String spec, String why) {
        assertThatThrownBy(() -> read(spec)).isInstanceOf(BadAdmissionRequest.class)
                .hasMessage("request.object does not parse as a Deployment: " + why)
                .message().doesNotContain("root-x").doesNotContain("yes");
    }

    @Test
    void fieldsNoRuleReadsAreNotChecked() throws Exception {
        assertThat(read("{\"containers\": [{\"name\": \"a\", \"ports\": \"not a list\", \"resources\": 7}], "
                + "\"tolerations\": [null]}").containers()).hasSize(1);
    }
}
