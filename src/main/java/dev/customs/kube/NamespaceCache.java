package dev.customs.kube;

import java.util.Map;

import org.jboss.logging.Logger;

import dev.customs.policy.NamespaceLabels;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Namespace labels from an informer's cache: admission reads memory, never the API. Started without waiting, so a slow
 * API server never delays start-up; readiness waits for the first sync (see {@link NamespaceCacheReadiness}).
 */
public final class NamespaceCache implements NamespaceLabels, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NamespaceCache.class);

    private final SharedIndexInformer<Namespace> informer;

    /** A cache backed by an informer over all namespaces, started at once. */
    public NamespaceCache(KubernetesAccess k8s) {
        if (!k8s.available()) {
            this.informer = null;
            return;
        }
        this.informer = k8s.client().namespaces().runnableInformer(0);
        informer.start().whenComplete((v, e) -> {
            if (e != null) {
                LOG.warnf("namespace informer could not start: %s; namespace label overrides are not applied",
                        e.getMessage());
            }
        });
    }

    @Override
    public Map<String, String> labels(String namespace) {
        if (informer == null || namespace == null || namespace.isEmpty()) {
            return Map.of();
        }
        Namespace ns = informer.getStore().getByKey(namespace);
        if (ns == null || ns.getMetadata() == null || ns.getMetadata().getLabels() == null) {
            return Map.of();
        }
        return ns.getMetadata().getLabels();
    }

    /** True when there is no API to sync with, or the first list has arrived. */
    public boolean synced() {
        return informer == null || informer.hasSynced();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
