package dev.customs.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * An API server that is away when Customs starts: the namespace informer's first list fails, and the cache must
 * still sync once the server is there, instead of staying unready for good.
 */
class NamespaceCacheIT {

    @Test
    void syncsOnceTheApiServerIsThereAfterAFailedFirstList() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Config config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + port).withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(1000).build();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
                NamespaceCache cache = new NamespaceCache(new KubernetesAccess(client))) {
            Thread.sleep(1500); // the first list has been refused by now
            assertThat(cache.synced()).as("nothing listens yet").isFalse();

            server.init(java.net.InetAddress.getLoopbackAddress(), port);
            try (KubernetesClient admin = server.createClient()) {
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                        .withLabels(Map.of("customs.dev/action", "warn")).endMetadata().build()).create();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!cache.synced() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(cache.synced()).as("synced after the API server came").isTrue();
            assertThat(cache.labels("shop")).containsEntry("customs.dev/action", "warn");
        } finally {
            server.destroy();
        }
    }

    @Test
    void withoutAnApiThereIsNothingToWaitFor() throws IOException {
        Config config = new ConfigBuilder().withMasterUrl("https://kubernetes.default.svc").build();
        try (NamespaceCache cache = new NamespaceCache(new KubernetesAccess(config, () -> {
            throw new AssertionError("no client is built without an API");
        }))) {
            assertThat(cache.synced()).isTrue();
            assertThat(cache.labels("shop")).isEmpty();
        }
    }
}
