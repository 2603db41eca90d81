package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.quarkus.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServer;

class AdmissionListenerReadinessTest {

    /** The registry as Quarkus fills it: a listener's key appears once it is bound. */
    private static final class Values implements ValueRegistry {
        final Map<RuntimeKey<?>, Object> map = new HashMap<>();

        @Override
        public <T> void register(RuntimeKey<T> key, T value) {
            map.put(key, value);
        }

        @Override
        public <T> void registerInfo(RuntimeKey<T> key, RuntimeInfo<T> info) {
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get(RuntimeKey<T> key) {
            return (T) map.get(key);
        }

        @Override
        public <T> T getOrDefault(RuntimeKey<T> key, T value) {
            return containsKey(key) ? get(key) : value;
        }

        @Override
        public <T> boolean containsKey(RuntimeKey<T> key) {
            return map.containsKey(key);
        }

        @Override
        public RuntimeInfo<?> get(String name) {
            return null;
        }
    }

    @Test
    void downUntilAnAdmissionListenerIsBound() {
        Values tlsValues = new Values();
        AdmissionListenerReadiness tls = new AdmissionListenerReadiness(tlsValues);
        tlsValues.register(HttpServer.MANAGEMENT_PORT, 9000);
        assertThat(tls.call().getStatus()).as("the management port alone").isEqualTo(HealthCheckResponse.Status.DOWN);
        tlsValues.register(HttpServer.HTTPS_PORT, 8443);
        assertThat(tls.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(tls.call().getName()).isEqualTo("admission-listener");

        Values plainValues = new Values();
        AdmissionListenerReadiness plain = new AdmissionListenerReadiness(plainValues);
        assertThat(plain.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        plainValues.register(HttpServer.HTTP_PORT, 8080);
        assertThat(plain.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }
}
