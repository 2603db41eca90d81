package dev.customs.image.registry;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real registry (argument {@code auth}: NONE or HTPASSWD) and a counting proxy before Quarkus boots, points
 * {@code customs.registry.*} at the proxy, and injects both into {@link InjectRegistry} fields of the test.
 */
public class RegistryTestResource implements QuarkusTestResourceLifecycleManager {

    private TestRegistry.Auth auth = TestRegistry.Auth.NONE;
    private TestRegistry registry;
    private RegistryProxy proxy;

    @Override
    public void init(Map<String, String> args) {
        auth = TestRegistry.Auth.valueOf(args.getOrDefault("auth", "NONE"));
    }

    @Override
    public Map<String, String> start() {
        registry = TestRegistry.start(auth);
        proxy = new RegistryProxy(registry.base());
        return Map.of("customs.registry.insecure-registries", proxy.authority());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(registry, new TestInjector.AnnotatedAndMatchesType(InjectRegistry.class,
                TestRegistry.class));
        injector.injectIntoFields(proxy, new TestInjector.AnnotatedAndMatchesType(InjectRegistry.class,
                RegistryProxy.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
