package dev.customs.image.registry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;

/**
 * A docker-registry on loopback without auth behind the counting {@link RegistryProxy}, and a Vert.x for the
 * inspectors a test builds on it, started once per test class.
 */
abstract class RealRegistry {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static TestRegistry registry;
    static RegistryProxy proxy;
    static Vertx vertx;

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
}
