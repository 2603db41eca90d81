package dev.customs.admission;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Health and metrics answer on the management port (random in tests, {@code quarkus.management.test-port=0}), and never
 * on the admission port. {@code @TestHTTPResource(management = true)} injects a URL with the port actually bound; its
 * value is relative to the management root path {@code /q}, so {@code "/health/live"} is {@code /q/health/live}.
 */
@QuarkusTest
class ManagementEndpointIT {

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @TestHTTPResource("/")
    URL admission;

    @Test
    void livenessIsUp() {
        given().when().get(live).then().statusCode(200).contentType("application/json")
                .body("status", equalTo("UP"));
    }

    @Test
    void readinessIsUpAndSaysTheAdmissionPortIsBound() {
        given().when().get(ready).then().statusCode(200).contentType("application/json")
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'admission-listener' }.status", equalTo("UP"));
    }

    @Test
    void metricsArePrometheusText() {
        Reviews.post("kinds/pod-create.json");
        Response r = given().accept("text/plain").when().get(metrics);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        assertThat(r.asString()).contains("# HELP ", "# TYPE ").containsPattern("(?m)^jvm_\\w+(\\{.*})? [0-9.eE+-]+$")
                .contains("http_server_requests_seconds_count{").contains("uri=\"/validate\"");
    }

    @Test
    void theManagementPortIsNotTheAdmissionPort() {
        assertThat(live.getPort()).isPositive().isNotEqualTo(admission.getPort());
        given().when().get(admission.toString() + "q/health/live").then().statusCode(404);
        given().when().get(admission.toString() + "q/metrics").then().statusCode(404);
        given().when().post(metrics.toString().replace("/q/metrics", "/validate")).then().statusCode(404);
    }
}
