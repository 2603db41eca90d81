package dev.customs.admission;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServer;

/**
 * Not ready until the admission port is bound. Readiness is answered on the management port, which can be listening
 * before the HTTPS listener is: a replica marked ready then would be sent reviews it refuses, and with
 * {@code failurePolicy: Fail} those pods are denied. Quarkus registers a listener's actual port once it is bound.
 */
@Readiness
@ApplicationScoped
public class AdmissionListenerReadiness implements HealthCheck {

    private final ValueRegistry values;
    private volatile boolean bound;

    public AdmissionListenerReadiness(ValueRegistry values) {
        this.values = values;
    }

    @Override
    public HealthCheckResponse call() {
        if (!bound) {
            bound = values.containsKey(HttpServer.HTTPS_PORT) || values.containsKey(HttpServer.HTTP_PORT);
        }
        return HealthCheckResponse.named("admission-listener").status(bound).build();
    }
}
