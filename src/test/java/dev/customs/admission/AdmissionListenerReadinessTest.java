package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.http.HttpServerOptions;

class AdmissionListenerReadinessTest {

    @Test
    void downUntilAnAdmissionListenerIsBound() {
        AdmissionListenerReadiness plain = new AdmissionListenerReadiness();
        assertThat(plain.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        plain.http(new HttpServerStart(new HttpServerOptions()));
        assertThat(plain.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        AdmissionListenerReadiness tls = new AdmissionListenerReadiness();
        assertThat(tls.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        tls.https(new HttpsServerStart(new HttpServerOptions()));
        assertThat(tls.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(tls.call().getName()).isEqualTo("admission-listener");
    }
}
