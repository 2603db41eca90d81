package dev.customs.kube;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until namespace labels are known: answering before that would enforce in namespaces labelled to warn or
 * audit.
 */
@Readiness
@ApplicationScoped
public class NamespaceCacheReadiness implements HealthCheck {

    private final NamespaceCache cache;

    public NamespaceCacheReadiness(NamespaceCache cache) {
        this.cache = cache;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("namespace-labels").status(cache.synced()).build();
    }
}
