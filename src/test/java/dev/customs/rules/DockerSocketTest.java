package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;

/** {@link DockerSocket#normalise} and which host paths expose a runtime socket. */
class DockerSocketTest {

    private final DockerSocket rule = new DockerSocket();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /var/run/docker.sock            | /run/docker.sock
            /run/docker.sock                | /run/docker.sock
            //var//run//docker.sock         | /run/docker.sock
            /var/./run/./docker.sock        | /run/docker.sock
            /var/lib/../run/docker.sock     | /run/docker.sock
            /../../var/run/docker.sock      | /run/docker.sock
            /var/run/docker.sock/           | /run/docker.sock
            var/run/docker.sock             | /run/docker.sock
            ' /var/run/docker.sock '        | /run/docker.sock
            /var/run                        | /run
            /var/run/                       | /run
            /var/run/..                     | /var
            /var/runner/x                   | /var/runner/x
            /                               | /
            //                              | /
            /.                              | /
            /..                             | /
            /var                            | /var
            /run/containerd/                | /run/containerd
            """)
    void normalise(String path, String expected) {
        assertThat(DockerSocket.normalise(path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /run/docker.sock                    | the Docker socket
            /run/containerd/containerd.sock     | the containerd socket
            /run/crio/crio.sock                 | the CRI-O socket
            /run/cri-dockerd.sock               | the cri-dockerd socket
            /run/podman/podman.sock             | the Podman socket
            /run/k3s/containerd/containerd.sock | the k3s/RKE2 containerd socket
            /run/containerd                     | a directory containing the containerd (/run/containerd/containerd.sock) socket
            /run/k3s                            | a directory containing the k3s/RKE2 containerd (/run/k3s/containerd/containerd.sock) socket
            /run/k3s/containerd                 | a directory containing the k3s/RKE2 containerd (/run/k3s/containerd/containerd.sock) socket
            /run/crio                           | a directory containing the CRI-O (/run/crio/crio.sock) socket
            /run/podman                         | a directory containing the Podman (/run/podman/podman.sock) socket
            /run/docker                         | a directory containing the dockerd's containerd (/run/docker/containerd/containerd.sock) socket
            /run/docker/containerd              | a directory containing the dockerd's containerd (/run/docker/containerd/containerd.sock) socket
            /run/docker/containerd/containerd.sock | the dockerd's containerd socket
            """)
    void exposes(String normalised, String what) {
        assertThat(rule.exposedSockets(normalised)).isEqualTo(what);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/", "/var", "/run" })
    void parentsOfEverySocketListThemAllInOrder(String dir) {
        assertThat(rule.exposedSockets(dir)).isEqualTo("a directory containing the Docker (/run/docker.sock), "
                + "dockerd's containerd (/run/docker/containerd/containerd.sock), containerd (/run/containerd/containerd.sock), CRI-O (/run/crio/crio.sock), cri-dockerd "
                + "(/run/cri-dockerd.sock), Podman (/run/podman/podman.sock), k3s/RKE2 containerd "
                + "(/run/k3s/containerd/containerd.sock) sockets");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/var/lib/docker/containers", "/var/lib/docker", "/run/thing.sock", "/data", "/var/lib",
            "/run/docker.sock.d", "/run/dockerd", "/run/docker-x", "/run/user/1000", "/run/containerd/containerd.sock.ttrpc",
            "/run/containerd-extra", "/etc", "/home/run/docker.sock" })
    void nearMissesExposeNothing(String normalised) {
        assertThat(rule.exposedSockets(normalised)).isNull();
    }

    @Test
    void configuredPathsAreProtectedToo() {
        DockerSocket custom = new DockerSocket(List.of("/var/run/buildkit/buildkitd.sock", "/opt/agent//agent.sock"));
        assertThat(custom.exposedSockets("/run/buildkit/buildkitd.sock"))
                .isEqualTo("the configured /var/run/buildkit/buildkitd.sock socket");
        assertThat(custom.exposedSockets("/opt/agent/agent.sock")).isEqualTo("the configured /opt/agent//agent.sock socket");
        assertThat(custom.exposedSockets("/opt"))
                .isEqualTo("a directory containing the configured /opt/agent//agent.sock (/opt/agent/agent.sock) socket");
        assertThat(custom.exposedSockets("/run/buildkit")).contains("buildkitd.sock");
        assertThat(custom.exposedSockets("/run/docker.sock")).isEqualTo("the Docker socket");
        assertThat(rule.exposedSockets("/opt/agent/agent.sock")).isNull();
    }

    @Test
    void anEphemeralUpdateReportsOnlyVolumesTheNewContainersMount() {
        PodSpec spec = new PodSpecBuilder()
                .addNewContainer().withName("app").withImage("app:1.0").addNewVolumeMount().withName("a")
                .withMountPath("/a").endVolumeMount().endContainer()
                .addNewEphemeralContainer().withName("dbg").withImage("busybox:1.36").addNewVolumeMount()
                .withName("b").withMountPath("/b").endVolumeMount().endEphemeralContainer()
                .addNewVolume().withName("a").withNewHostPath().withPath("/run/docker.sock").endHostPath().endVolume()
                .addNewVolume().withName("b").withNewHostPath().withPath("/run/containerd").endHostPath().endVolume()
                .addNewVolume().withName("c").withNewHostPath().withPath("/var/run").endHostPath().endVolume()
                .build();
        PodView all = PodViews.of("ns", "web", spec);
        PodView added = all.onlyContainers(c -> c.kind() == ContainerView.Kind.EPHEMERAL);

        assertThat(fields(all)).containsExactly("spec.volumes[0].hostPath.path", "spec.volumes[1].hostPath.path",
                "spec.volumes[2].hostPath.path");
        assertThat(fields(added)).containsExactly("spec.volumes[1].hostPath.path");
    }

    @Test
    void volumesWithoutHostPathOrPathAreIgnored() {
        PodSpec spec = new PodSpecBuilder().addNewContainer().withName("app").withImage("app:1.0").endContainer()
                .addNewVolume().withName("e").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("h").withNewHostPath().endHostPath().endVolume()
                .build();
        assertThat(fields(PodViews.of(spec))).isEmpty();
    }

    private List<String> fields(PodView pod) {
        Findings out = new Findings(DockerSocket.ID);
        rule.evaluate(pod, ImageLookup.NONE, out);
        return out.violations().stream().map(Violation::field).toList();
    }
}
