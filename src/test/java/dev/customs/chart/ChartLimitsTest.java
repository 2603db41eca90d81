package dev.customs.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

/**
 * What the chart sets to hold Customs under hostile input: the NetworkPolicy in front of its ports, the JVM's memory
 * sizes and fail-fast flag under the container's memory limit, and the admission and cache limits in its
 * configuration.
 */
class ChartLimitsTest {

    private static NetworkPolicy policy(Map<String, Object> sets) {
        List<NetworkPolicy> all = Chart.render(null, sets).all(NetworkPolicy.class);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private static NetworkPolicyIngressRule rule(NetworkPolicy p, String port) {
        return p.getSpec().getIngress().stream()
                .filter(r -> r.getPorts().stream().anyMatch(x -> port.equals(x.getPort().getStrVal())))
                .findFirst().orElseThrow(() -> new AssertionError("no rule for port " + port));
    }

    @Test
    void aNetworkPolicyAdmitsOnlyTheWebhookAndManagementPortsByDefault() {
        NetworkPolicy p = policy(Map.of());

        assertThat(p.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(p.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component",
                "webhook").containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
        assertThat(p.getSpec().getIngress()).hasSize(2);
        assertThat(rule(p, "https").getFrom()).extracting(peer -> peer.getIpBlock().getCidr())
                .containsExactly("0.0.0.0/0", "::/0");
        assertThat(rule(p, "management").getFrom()).singleElement()
                .extracting(peer -> peer.getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "monitoring"));
        // the ports it names are the container's
        Container c = Chart.render(null, Map.of()).one(Deployment.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(c.getPorts()).extracting(io.fabric8.kubernetes.api.model.ContainerPort::getName)
                .contains("https", "management");
    }

    @Test
    void podNetworksAreRefusedOnTheWebhookPort() {
        NetworkPolicy p = policy(Map.of("networkPolicy.webhook.podCidrs[0]", "10.244.0.0/16",
                "networkPolicy.webhook.podCidrs[1]", "fd00:10:244::/56", "networkPolicy.webhook.podCidrs[2]",
                "10.96.0.0/12"));

        List<NetworkPolicyPeer> from = rule(p, "https").getFrom();
        assertThat(from.get(0).getIpBlock().getCidr()).isEqualTo("0.0.0.0/0");
        assertThat(from.get(0).getIpBlock().getExcept()).containsExactly("10.244.0.0/16", "10.96.0.0/12");
        assertThat(from.get(1).getIpBlock().getCidr()).isEqualTo("::/0");
        assertThat(from.get(1).getIpBlock().getExcept()).containsExactly("fd00:10:244::/56");
    }

    @Test
    void theApiServersOwnSourcesReplaceTheDefault() throws Exception {
        Path values = Files.createTempFile("customs-netpol", ".yaml");
        try {
            Files.writeString(values, """
                    networkPolicy:
                      webhook:
                        from:
                          - ipBlock:
                              cidr: 172.16.0.0/28
                          - namespaceSelector:
                              matchLabels:
                                kubernetes.io/metadata.name: kube-system
                            podSelector:
                              matchLabels:
                                app: konnectivity-agent
                      metrics:
                        from: []
                    """);
            List<NetworkPolicy> all = Chart.render(values, Map.of()).all(NetworkPolicy.class);
            NetworkPolicy p = all.get(0);
            assertThat(p.getSpec().getIngress()).as("no rule for the management port: nobody may scrape").hasSize(1);
            List<NetworkPolicyPeer> from = rule(p, "https").getFrom();
            assertThat(from).hasSize(2);
            assertThat(from.get(0).getIpBlock().getCidr()).isEqualTo("172.16.0.0/28");
            assertThat(from.get(1).getPodSelector().getMatchLabels()).containsEntry("app", "konnectivity-agent");
        } finally {
            Files.delete(values);
        }
    }

    @Test
    void theNetworkPolicyCanBeTurnedOff() {
        assertThat(Chart.render(null, Map.of("networkPolicy.enabled", false)).all(NetworkPolicy.class)).isEmpty();
    }

    private static Map<String, String> env(Chart.Rendered r) {
        Container c = r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        return c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    @Test
    void theJvmIsSizedFailsFastAndReadsItsOptionsFromTheEnvironment() {
        Map<String, String> env = env(Chart.render(null, Map.of()));

        assertThat(List.of(env.get("JDK_JAVA_OPTIONS").split(" "))).containsExactly("-Xms288m", "-Xmx288m", "-Xmn64m",
                "-XX:MaxMetaspaceSize=96m", "-XX:ReservedCodeCacheSize=48m", "-XX:MaxDirectMemorySize=32m", "-Xss1m",
                "-XX:CompileThresholdScaling=2", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-XX:ThreadPriorityPolicy=1",
                "-XX:JavaPriority1_To_OSPriority=19");
        assertThat(env).containsEntry("MALLOC_ARENA_MAX", "2");
        assertThat(env(Chart.render(null, Map.of("jvm.extraOptions[0]", "-XX:+PrintFlagsFinal")))
                .get("JDK_JAVA_OPTIONS")).endsWith("-XX:JavaPriority1_To_OSPriority=19 -XX:+PrintFlagsFinal");
        assertThat(env(Chart.render(null, Map.of("jvm.compileThresholdScaling", 1))).get("JDK_JAVA_OPTIONS"))
                .contains(" -XX:CompileThresholdScaling=1 ");
    }

    @Test
    void aHeapThatLeavesTooLittleOfTheMemoryLimitIsRefused() {
        assertThatThrownBy(() -> Chart.template(null, Map.of("jvm.maxHeap", "384m"))).hasMessageContaining(
                "jvm.maxHeap (384m) leaves 128 MiB of resources.limits.memory (512Mi)");
        assertThatThrownBy(() -> Chart.template(null, Map.of("resources.limits.memory", "400Mi")))
                .hasMessageContaining("leaves 112 MiB");
        assertThatThrownBy(() -> Chart.template(null, Map.of("jvm.maxHeap", "1g", "resources.limits.memory", "1Gi")))
                .hasMessageContaining("leaves 0 MiB");
        assertThatThrownBy(() -> Chart.template(null, Map.of("resources.limits.memory", "half a gig")))
                .hasMessageContaining("not a memory quantity");
        // within the limit, in every unit the chart reads
        assertThat(env(Chart.render(null, Map.of("jvm.maxHeap", "768m", "resources.limits.memory", "1Gi")))
                .get("JDK_JAVA_OPTIONS")).startsWith("-Xms768m -Xmx768m ");
        assertThat(Chart.template(null, Map.of("jvm.maxHeap", "1g", "resources.limits.memory", "1300M"))).isNotEmpty();
        assertThat(Chart.template(null, Map.of("resources.limits.memory", "536870912"))).isNotEmpty();
    }

    @Test
    void theLimitsReachTheConfiguration() {
        Properties config = Chart.render(null, Map.of("registry.cacheMemory", "96M", "admission.maxBytesInFlight",
                "48M", "admission.bodyTimeout", "5s", "admission.maxContainers", 100)).config();

        assertThat(config).containsEntry("customs.registry.cache-memory", "96M")
                .containsEntry("customs.admission.max-bytes-in-flight", "48M")
                .containsEntry("customs.admission.body-timeout", "5s")
                .containsEntry("customs.admission.max-containers", "100");
    }

    @Test
    void theImageExitsOnOutOfMemoryToo() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        assertThat(List.of(p.getProperty("quarkus.jib.jvm-entrypoint").split(","))).contains(
                "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC");
        assertThat(Files.readString(Path.of("src/main/docker/Dockerfile.jvm")))
                .contains("\"-XX:+ExitOnOutOfMemoryError\", \"-XX:+UseSerialGC\", \"-XX:MaxRAMPercentage=56\"");
    }

    @Test
    void theDockerfileRunsWhatTheJibImageRuns() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        List<String> jib = List.of(p.getProperty("quarkus.jib.jvm-entrypoint").split(","));
        String line = Files.readAllLines(Path.of("src/main/docker/Dockerfile.jvm")).stream()
                .filter(l -> l.startsWith("ENTRYPOINT ")).reduce((a, b) -> b).orElseThrow();
        List<String> docker = List.of(new ObjectMapper().readValue(line.substring("ENTRYPOINT ".length()),
                String[].class));
        assertThat(docker).as("Dockerfile.jvm's ENTRYPOINT").isEqualTo(jib);
    }
}
