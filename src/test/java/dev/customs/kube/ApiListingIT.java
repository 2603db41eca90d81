package dev.customs.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.WorkloadKind;
import dev.customs.audit.ObjectSource;
import dev.customs.audit.ReportStore;
import dev.customs.reports.ReportFormat;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.Vertx;

/**
 * What the audit's API access does when the API server misbehaves in ways a real one will not on demand: a page too
 * large for the buffer, a continuation that expired, an object gone between list and get, an error status. Against the
 * fabric8 mock server in expectation mode; the normal paths run against a real API server in the end-to-end suite.
 */
class ApiListingIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KubernetesMockServer server;
    private KubernetesClient client;
    private Vertx vertx;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = server.createClient();
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** The audit's API access through the mock server's client. */
    private KubeApi api() {
        return new KubeApi(() -> client, JSON, vertx);
    }

    /** A list page of deployments {@code from..to-1}, with a continue token when {@code next} is set. */
    private static String page(int from, int to, String next, int padding) {
        ObjectNode list = JSON.createObjectNode();
        list.put("kind", "DeploymentList").put("apiVersion", "apps/v1");
        ObjectNode meta = list.putObject("metadata");
        if (next != null) {
            meta.put("continue", next);
        }
        ArrayNode items = list.putArray("items");
        for (int i = from; i < to; i++) {
            ObjectNode d = items.addObject();
            d.putObject("metadata").put("name", "d" + i).put("namespace", "shop").put("uid", "u" + i)
                    .putObject("annotations").put("padding", "x".repeat(padding));
            d.putObject("spec").putObject("template").putObject("spec").putArray("containers").addObject()
                    .put("name", "app").put("image", "app:" + i);
        }
        return list.toString();
    }

    /** Collects everything a listing passes on. */
    private static final class Collect implements ObjectSource.Sink {
        final List<JsonNode> objects = new ArrayList<>();

        @Override
        public boolean wants(JsonNode metadata) {
            return !metadata.path("name").asText().startsWith("owned");
        }

        @Override
        public boolean accept(JsonNode object) {
            objects.add(object);
            return true;
        }

        List<String> names() {
            return objects.stream().map(o -> o.at("/metadata/name").asText()).toList();
        }
    }

    @Test
    void pagesAreFollowedAndEveryObjectGetsItsKind() throws Exception {
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=2").andReturn(200, page(0, 2, "t1", 0))
                .once();
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=2&continue=t1")
                .andReturn(200, page(2, 3, null, 0)).once();
        Collect sink = new Collect();
        new ApiObjectSource(api(), JSON, 2, 1 << 20).list(WorkloadKind.DEPLOYMENT, sink);
        assertThat(sink.names()).containsExactly("d0", "d1", "d2");
        assertThat(sink.objects).allSatisfy(o -> {
            assertThat(o.get("apiVersion").asText()).isEqualTo("apps/v1");
            assertThat(o.get("kind").asText()).isEqualTo("Deployment");
        });
    }

    @Test
    void aPageTooLargeForTheBufferIsAskedAgainSmallerFromTheSameToken() throws Exception {
        // the buffer holds 4 MiB (the floor for one object); 8 objects of 1 MiB do not fit, 2 do
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=8").andReturn(200, page(0, 8, "t1", 1 << 20))
                .once();
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=2").andReturn(200, page(0, 2, "t2", 1 << 20))
                .once();
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=4&continue=t2")
                .andReturn(200, page(2, 3, null, 1000)).once();
        Collect sink = new Collect();
        new ApiObjectSource(api(), JSON, 8, 0).list(WorkloadKind.DEPLOYMENT, sink);
        assertThat(sink.names()).containsExactly("d0", "d1", "d2");
    }

    @Test
    void anExpiredContinuationGoesOnWithTheTokenTheServerOffers() throws Exception {
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=2").andReturn(200, page(0, 2, "old", 0))
                .once();
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=2&continue=old").andReturn(410,
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{\"continue\":\"fresh\"},\"status\":"
                        + "\"Failure\",\"message\":\"The provided continue parameter is too old\",\"reason\":"
                        + "\"Expired\",\"code\":410}")
                .once();
        server.expect().get().withPath("/apis/apps/v1/deployments?limit=2&continue=fresh")
                .andReturn(200, page(2, 4, null, 0)).once();
        Collect sink = new Collect();
        new ApiObjectSource(api(), JSON, 2, 1 << 20).list(WorkloadKind.DEPLOYMENT, sink);
        assertThat(sink.names()).containsExactly("d0", "d1", "d2", "d3");
    }

    @Test
    void aFailedListingSaysWhatFailed() {
        server.expect().get().withPath("/apis/batch/v1/cronjobs?limit=500").andReturn(403,
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"cronjobs.batch is "
                        + "forbidden: User \\\"system:serviceaccount:customs:customs\\\" cannot list resource\","
                        + "\"reason\":\"Forbidden\",\"code\":403}")
                .once();
        assertThatThrownBy(() -> new ApiObjectSource(api(), JSON, 500, 1 << 20)
                .list(WorkloadKind.CRON_JOB, new Collect())).isInstanceOf(ObjectSource.ListingFailed.class)
                .hasMessageContaining("cronjobs").hasMessageContaining("HTTP 403").hasMessageContaining("forbidden");
    }

    @Test
    void podsAreListedAsMetadataAndOnlyTheWantedOnesReadInFull() throws Exception {
        String metadata = "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{},"
                + "\"items\":[{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{\"name\":"
                + "\"owned-1\",\"namespace\":\"shop\"}},{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\","
                + "\"metadata\":{\"name\":\"debug\",\"namespace\":\"shop\"}},{\"kind\":\"PartialObjectMetadata\","
                + "\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{\"name\":\"gone\",\"namespace\":\"shop\"}}]}";
        server.expect().get().withPath("/api/v1/pods?limit=500").andReturn(200, metadata).once();
        server.expect().get().withPath("/api/v1/namespaces/shop/pods/debug").andReturn(200,
                "{\"metadata\":{\"name\":\"debug\",\"namespace\":\"shop\",\"uid\":\"u\"},\"spec\":{\"containers\":"
                        + "[{\"name\":\"c\",\"image\":\"busybox\"}]}}")
                .once();
        server.expect().get().withPath("/api/v1/namespaces/shop/pods/gone").andReturn(404,
                "{\"kind\":\"Status\",\"code\":404}").once();
        Collect sink = new Collect();
        new ApiObjectSource(api(), JSON, 500, 1 << 20).list(WorkloadKind.POD, sink);

        assertThat(sink.names()).containsExactly("debug");
        assertThat(sink.objects.get(0).at("/spec/containers/0/image").asText()).isEqualTo("busybox");
        assertThat(sink.objects.get(0).get("kind").asText()).isEqualTo("Pod");
        RecordedRequest list = server.takeRequest();
        assertThat(list.getHeader("Accept")).startsWith("application/json;as=PartialObjectMetadataList");
    }

    @Test
    void reportsAreListedByLabelAppliedServerSideAndDeletedByName() throws Exception {
        server.expect().get()
                .withPath("/apis/openreports.io/v1alpha1/reports?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcustoms"
                        + "&limit=500")
                .andReturn(200, "{\"kind\":\"PartialObjectMetadataList\",\"metadata\":{},\"items\":[{\"metadata\":{"
                        + "\"name\":\"customs-u1\",\"namespace\":\"shop\",\"annotations\":{\"customs.dev/content-hash\":"
                        + "\"00000000000000ff\"}}},{\"metadata\":{\"name\":\"customs-u2\",\"namespace\":\"shop\"}}]}")
                .once();
        server.expect().patch().withPath("/apis/openreports.io/v1alpha1/namespaces/shop/reports/customs-u3"
                + "?fieldManager=customs&force=true").andReturn(201, "{}").once();
        server.expect().delete().withPath("/apis/openreports.io/v1alpha1/namespaces/shop/reports/customs-u2")
                .andReturn(404, "{\"kind\":\"Status\",\"code\":404}").once();
        ApiReportStore store = new ApiReportStore(api(), JSON);

        List<String> seen = new ArrayList<>();
        store.existing(ReportFormat.OPENREPORTS, (ns, name, hash) -> seen.add(ns + "/" + name + "=" + hash));
        assertThat(seen).containsExactly("shop/customs-u1=255", "shop/customs-u2=0");

        ObjectNode report = JSON.createObjectNode();
        report.putObject("metadata").put("name", "customs-u3").put("namespace", "shop");
        store.apply(ReportFormat.OPENREPORTS, report);
        store.delete(ReportFormat.OPENREPORTS, "shop", "customs-u2"); // already gone: not an error

        server.takeRequest();
        RecordedRequest apply = server.takeRequest();
        assertThat(apply.getMethod()).isEqualTo("PATCH");
        assertThat(apply.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
        assertThat(JSON.readTree(apply.getUtf8Body()).at("/metadata/name").asText()).isEqualTo("customs-u3");
    }

    @Test
    void aMissingReportApiIsUnavailableNotAFailurePerObject() {
        server.expect().get()
                .withPath("/apis/openreports.io/v1alpha1/reports?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcustoms"
                        + "&limit=500")
                .andReturn(404, "{\"kind\":\"Status\",\"message\":\"the server could not find the requested resource\","
                        + "\"code\":404}")
                .once();
        assertThatThrownBy(
                () -> new ApiReportStore(api(), JSON).existing(ReportFormat.OPENREPORTS,
                        (ns, name, hash) -> {
                        }))
                .isInstanceOfSatisfying(ReportStore.StoreFailed.class, e -> {
                    assertThat(e.unavailable()).isTrue();
                    assertThat(e.getMessage()).contains("could not find the requested resource");
                });
    }
}
