package dev.customs.image.registry;

import java.net.UnknownHostException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;

/**
 * What a correctness test of the inspector against a {@link RealRegistry} needs: an inspector per test that knows the
 * proxy as an insecure registry, has no Kubernetes and resolves no other host.
 */
abstract class RealRegistryInspection extends RealRegistry {

    RegistryImageInspector inspector;

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
