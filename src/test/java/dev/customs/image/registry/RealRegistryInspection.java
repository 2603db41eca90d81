package dev.customs.image.registry;

import java.net.UnknownHostException;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;

/**
 * What a correctness test of the inspector against a real registry needs: a docker-registry on loopback without auth
 * behind the counting {@link RegistryProxy}, started once per class, and an inspector per test that knows the proxy as
 * an insecure registry, has no Kubernetes and resolves no other host.
 */
abstract class RealRegistryInspection {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static TestRegistry registry;
    static RegistryProxy proxy;
    static Vertx vertx;
    RegistryImageInspector inspector;

    @BeforeAll
    static void startRegistry() {
        registry = TestRegistry.start(TestRegistry.Auth.NONE);
        proxy = new RegistryProxy(registry.base());
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopRegistry() {
        proxy.close();
        registry.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @AfterEach
    void closeInspector() {
        if (inspector != null) {
            inspector.close();
        }
    }

    RegistryImageInspector inspector() {
        TestRegistryConfig config = new TestRegistryConfig();
        config.insecureRegistries.add(proxy.authority());
        // a correctness test: give a loaded machine all the time it needs
        config.requestTimeout = Duration.ofSeconds(30);
        inspector = new RegistryImageInspector(config, vertx, MAPPER, () -> {
            throw new IllegalStateException("no Kubernetes in this test");
        }, new CountingRecorder(), new MutableClock(), host -> {
            throw new UnknownHostException(host);
        });
        return inspector;
    }
}
