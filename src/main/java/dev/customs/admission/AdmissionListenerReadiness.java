package dev.customs.admission;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;

/**
 * Not ready until the admission port is bound. Readiness is answered on the management port, which can be listening
 * before the HTTPS listener is: a replica marked ready then would be sent reviews it refuses, and with
 * {@code failurePolicy: Fail} those pods are denied.
 */
@Readiness
@ApplicationScoped
public class AdmissionListenerReadiness implements HealthCheck {

    private volatile boolean bound;

    void https(@ObservesAsync HttpsServerStart start) {
        bound = true;
    }

    void http(@ObservesAsync HttpServerStart start) {
        bound = true;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("admission-listener").status(bound).build();
    }
}
