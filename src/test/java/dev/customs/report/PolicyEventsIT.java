package dev.customs.report;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;

/**
 * Events of every kind, exemptions and metrics through the real endpoint, against the fabric8 mock API server in CRUD
 * mode, and what only a mock can do: an events API that hangs. Series, dry runs, owners, namespace labels and the
 * audit are tested against a real API server (dev.customs.e2e).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = PolicyEventsIT.Setup.class)
@TestProfile(PolicyEventsIT.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyEventsIT {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("customs.registry.on-error", "allow"),
                    Map.entry("customs.exemptions.legacy.namespaces", "exempt-ns"),
                    Map.entry("customs.exemptions.legacy.reason", "migrating"),
                    Map.entry("customs.exemptions.old.namespaces", "expired-ns"),
                    Map.entry("customs.exemptions.old.expires", "2020-01-01"),
                    Map.entry("customs.audit.interval", "1h"), Map.entry("customs.pod-name", "customs-test-0"));
        }
    }

    /** Runs before Customs starts: an events endpoint that hangs. */
    public static class Setup implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            server.expect().post().delay(15, TimeUnit.SECONDS)
                    .withPath("/apis/events.k8s.io/v1/namespaces/hang/events").andReturn(201, "{}").always();
        }
    }

    /**
     * The mock server's test resource sets fabric8 system properties ({@code kubernetes.master}, ...) and leaves them
     * behind; without this, the next test class's Customs would talk to the stopped mock server.
     */
    @org.junit.jupiter.api.AfterAll
    static void forgetTheMockServer() {
        for (String p : List.of("kubernetes.master", "kubernetes.trust.certificates", "kubernetes.auth.tryKubeConfig",
                "kubernetes.auth.tryServiceAccount", "kubernetes.namespace", "http2.disable", "quarkus.tls.trust-all")) {
            System.clearProperty(p);
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    ObjectMapper json;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    private ObjectNode review(String namespace, String kind, String group, String version, String name,
            ObjectNode object, boolean dryRun) {
        ObjectNode r = json.createObjectNode();
        r.put("apiVersion", "admission.k8s.io/v1");
        r.put("kind", "AdmissionReview");
        ObjectNode req = r.putObject("request");
        req.put("uid", UUID.randomUUID().toString());
        req.putObject("kind").put("group", group).put("version", version).put("kind", kind);
        req.putObject("resource").put("group", group).put("version", version)
                .put("resource", kind.toLowerCase() + "s");
        req.put("operation", "CREATE");
        req.put("namespace", namespace);
        req.put("name", name);
        req.putObject("userInfo").put("username", "dev@example.com");
        req.set("object", object);
        req.put("dryRun", dryRun);
        return r;
    }

    private ObjectNode podSpec(String image, boolean hostNetwork) {
        ObjectNode spec = json.createObjectNode();
        spec.putObject("securityContext").put("runAsNonRoot", true).put("runAsUser", 10001);
        if (hostNetwork) {
            spec.put("hostNetwork", true);
        }
        ObjectNode c = spec.putArray("containers").addObject();
        c.put("name", "app");
        c.put("image", image);
        c.putArray("command").add("/app");
        return spec;
    }

    private ObjectNode pod(String name, String image) {
        ObjectNode o = json.createObjectNode();
        o.put("apiVersion", "v1").put("kind", "Pod");
        o.putObject("metadata").put("name", name);
        o.set("spec", podSpec(image, false));
        return o;
    }

    private ObjectNode templated(String kind, String apiVersion, String name, String image) {
        ObjectNode o = json.createObjectNode();
        o.put("apiVersion", apiVersion).put("kind", kind);
        o.putObject("metadata").put("name", name);
        ObjectNode spec = o.putObject("spec");
        if (kind.equals("CronJob")) {
            spec.put("schedule", "0 * * * *");
            spec = spec.putObject("jobTemplate").putObject("spec");
        }
        spec.putObject("template").set("spec", podSpec(image, false));
        return o;
    }

    private Response post(ObjectNode review) {
        return given().contentType("application/json").body(review.toString()).post("/validate");
    }

    private List<Event> events(String namespace) {
        return client.events().v1().events().inNamespace(namespace).list().getItems();
    }

    private static <T> T eventually(Supplier<T> get, java.util.function.Predicate<T> until) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        T value = get.get();
        while (!until.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 10 s; last value: " + value);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            value = get.get();
        }
        return value;
    }

    private String scrape() {
        return given().get(metrics).then().statusCode(200).extract().asString();
    }

    private static double value(String metricsText, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
                .matcher(metricsText);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    @Order(1)
    void eachKindIsReportedWithAnEventAboutItself() {
        record Kind(String kind, String group, String version, ObjectNode object) {
        }
        List<Kind> kinds = List.of(new Kind("Pod", "", "v1", pod("p1", "nginx")),
                new Kind("Deployment", "apps", "v1", templated("Deployment", "apps/v1", "d1", "nginx")),
                new Kind("StatefulSet", "apps", "v1", templated("StatefulSet", "apps/v1", "s1", "nginx")),
                new Kind("DaemonSet", "apps", "v1", templated("DaemonSet", "apps/v1", "ds1", "nginx")),
                new Kind("ReplicaSet", "apps", "v1", templated("ReplicaSet", "apps/v1", "rs1", "nginx")),
                new Kind("Job", "batch", "v1", templated("Job", "batch/v1", "j1", "nginx")),
                new Kind("CronJob", "batch", "v1", templated("CronJob", "batch/v1", "cj1", "nginx")),
                new Kind("ReplicationController", "", "v1",
                        templated("ReplicationController", "v1", "rc1", "nginx")));
        for (Kind k : kinds) {
            String name = k.object().path("metadata").path("name").asText();
            post(review("kinds", k.kind(), k.group(), k.version(), name, k.object(), false)).then().statusCode(200)
                    .body("response.allowed", org.hamcrest.Matchers.is(false));
        }
        List<Event> events = eventually(() -> events("kinds"), l -> l.size() == kinds.size());
        for (Kind k : kinds) {
            String name = k.object().path("metadata").path("name").asText();
            Event e = events.stream().filter(x -> x.getRegarding().getName().equals(name)).findFirst().orElseThrow();
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("PolicyViolation");
            assertThat(e.getAction()).isEqualTo("Denied");
            assertThat(e.getReportingController()).isEqualTo("customs.dev/webhook");
            assertThat(e.getReportingInstance()).isEqualTo("customs-test-0");
            assertThat(e.getRegarding().getKind()).isEqualTo(k.kind());
            assertThat(e.getRegarding().getNamespace()).isEqualTo("kinds");
            assertThat(e.getRegarding().getApiVersion()).isEqualTo(k.group().isEmpty() ? "v1" : k.group() + "/v1");
            assertThat(e.getNote()).startsWith("[latest-tag] ").hasSizeLessThanOrEqualTo(1024);
            assertThat(e.getEventTime()).isNotNull();
        }
    }

    @Test
    @Order(6)
    void exemptionsApplyUntilTheyExpireAndAreCounted() {
        String before = scrape();
        post(review("exempt-ns", "Pod", "", "v1", "p", pod("p", "nginx"), false)).then().statusCode(200)
                .body("response.allowed", org.hamcrest.Matchers.is(true));
        post(review("expired-ns", "Pod", "", "v1", "p", pod("p", "nginx"), false)).then().statusCode(200)
                .body("response.allowed", org.hamcrest.Matchers.is(false));
        String after = scrape();
        String exempted = "customs_violations_total{action=\"exempted\",rule=\"latest-tag\"}";
        assertThat(value(after, exempted) - value(before, exempted)).isEqualTo(1.0);
        assertThat(value(after, "customs_exemptions_expired_total{exemption=\"old\"}")).isEqualTo(1.0);
    }

    @Test
    @Order(7)
    void metricsCountRequestsDecisionsAndLatency() {
        String before = scrape();
        post(review("m", "Pod", "", "v1", "p", pod("p", "nginx"), false)).then().statusCode(200);
        post(review("m", "Pod", "", "v1", "p", pod("p", "nginx:1.27"), false)).then().statusCode(200);
        given().contentType("application/json").body("{").post("/validate").then().statusCode(400);
        String after = scrape();
        assertThat(delta(before, after, "customs_admission_requests_total{decision=\"denied\",kind=\"Pod\","
                + "operation=\"CREATE\"}")).isEqualTo(1);
        assertThat(delta(before, after, "customs_admission_requests_total{decision=\"allowed\",kind=\"Pod\","
                + "operation=\"CREATE\"}")).isEqualTo(1);
        assertThat(delta(before, after, "customs_admission_requests_total{decision=\"error\",kind=\"other\","
                + "operation=\"unknown\"}")).isEqualTo(1);
        assertThat(delta(before, after, "customs_violations_total{action=\"enforce\",rule=\"latest-tag\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "customs_admission_duration_seconds_count")).isEqualTo(3);
        assertThat(after).contains("customs_admission_duration_seconds_bucket{le=\"0.001\"}",
                "customs_admission_duration_seconds_bucket{le=\"0.005\"}",
                "customs_admission_duration_seconds_bucket{le=\"0.01\"}");
        assertThat(value(after, "customs_events_total{result=\"posted\"}")).isGreaterThan(0);
        // no object names as labels
        assertThat(after).doesNotContain("name=\"p\"").doesNotContain("nginx");
    }

    private static double delta(String before, String after, String series) {
        return value(after, series) - value(before, series);
    }

    @Test
    @Order(9)
    void admissionDoesNotWaitForAHangingApiServer() {
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            post(review("hang", "Pod", "", "v1", "p" + i, pod("p" + i, "nginx"), false)).then().statusCode(200)
                    .body("response.allowed", org.hamcrest.Matchers.is(false));
            long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(ms).as("review %d took %d ms while the events API hangs", i, ms).isLessThan(1000);
        }
    }
}
