package dev.customs.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.Vertx;

/**
 * The audit's HTTP client ({@link DirectHttpClient}, through {@link KubeApi}) over TLS with a bearer token, as
 * fabric8 configures it: the token on every request, bodies read whole however many chunks they come in, request
 * bodies and their type sent, an answer cut off at the buffer's maximum without spoiling the next request. Against the
 * fabric8 mock server over HTTPS; against a real API server, the end-to-end suite's audit and reports use it too.
 */
class DirectHttpClientIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "direct-client-test-token";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private Vertx vertx;
    private KubeApi api;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(true);
        server.init();
        try (KubernetesClient plain = server.createClient()) {
            Config config = new ConfigBuilder(plain.getConfiguration()).withOauthToken(TOKEN).build();
            client = new KubernetesClientBuilder().withConfig(config).build();
        }
        vertx = Vertx.vertx();
        api = new KubeApi(() -> client, JSON, vertx);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aLargeAnswerArrivesWholeOverTlsWithTheToken() throws Exception {
        String big = "{\"items\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}";
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=500").andReturn(200, big).once();

        KubeApi.Body body = new KubeApi.Body(8 * 1024 * 1024);
        api.get("/apis/apps/v1/deployments?limit=500", KubeApi.JSON, body);

        assertThat(new String(body.array(), 0, body.size(), StandardCharsets.UTF_8)).isEqualTo(big);
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.getHeader("Accept")).isEqualTo(KubeApi.JSON);
    }

    @Test
    void anApplySendsItsBodyAndType() throws Exception {
        String path = "/apis/openreports.io/v1alpha1/namespaces/shop/reports/r1";
        server.expect().patch().withPath(path + "?fieldManager=customs&force=true").andReturn(200, "{}").once();
        ObjectNode report = JSON.createObjectNode().put("apiVersion", "openreports.io/v1alpha1").put("kind",
                "Report");

        api.apply(path, report, "customs");

        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("PATCH");
        assertThat(request.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
        assertThat(JSON.readTree(request.getBody().readUtf8())).isEqualTo(report);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void anAnswerOverTheMaximumIsCutOffAndTheNextRequestStillWorks() throws Exception {
        server.expect().get().withPath("/api/v1/pods").andReturn(200, "[" + "1,".repeat(200_000) + "1]").once();
        server.expect().get().withPath("/api/v1/namespaces").andReturn(200, "{\"ok\":true}").once();

        KubeApi.Body small = new KubeApi.Body(64 * 1024);
        assertThatThrownBy(() -> api.get("/api/v1/pods", KubeApi.JSON, small)).isInstanceOf(KubeApiException.class)
                .satisfies(e -> assertThat(((KubeApiException) e).code()).isEqualTo(KubeApiException.TOO_LARGE));

        KubeApi.Body next = new KubeApi.Body(64 * 1024);
        api.get("/api/v1/namespaces", KubeApi.JSON, next);
        assertThat(new String(next.array(), 0, next.size(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
    }

    /**
     * Customs stops while a request is on its way: the client is closed before the request reaches its event loop.
     * The request fails, saying so; it used to throw on the event loop (an uncaught error in the log) and never answer.
     */
    @Test
    void aRequestToAClosedClientFailsSayingSo() throws Exception {
        DirectHttpClient http = (DirectHttpClient) new DirectHttpClient.Factory(vertx)
                .newBuilder(client.getConfiguration()).build();
        StandardHttpRequest request = (StandardHttpRequest) http.newHttpRequestBuilder()
                .uri(client.getConfiguration().getMasterUrl() + "api/v1/namespaces").build();
        http.close();

        assertThatThrownBy(() -> http.consumeBytesDirect(request, (buffers, body) -> {
        }).get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(IOException.class).hasMessage("the Kubernetes API client is closed");
    }

    @Test
    void anErrorStatusGivesItsCodeAndMessage() {
        server.expect().get().withPath("/apis/batch/v1/jobs").andReturn(403,
                "{\"kind\":\"Status\",\"message\":\"jobs.batch is forbidden: User cannot list resource\"}").once();

        assertThatThrownBy(() -> api.get("/apis/batch/v1/jobs", KubeApi.JSON, new KubeApi.Body(1024)))
                .isInstanceOf(KubeApiException.class).hasMessageContaining("HTTP 403")
                .hasMessageContaining("jobs.batch is forbidden")
                .satisfies(e -> assertThat(((KubeApiException) e).code()).isEqualTo(403));
    }
}
