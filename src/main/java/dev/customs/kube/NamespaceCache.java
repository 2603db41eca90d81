package dev.customs.kube;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.customs.policy.NamespaceLabels;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Namespace labels from an informer's cache: admission reads memory, never the API. Started without waiting, so a slow
 * API server never delays start-up; readiness waits for the first sync (see {@link NamespaceCacheReadiness}). An
 * informer whose first list fails (an API server that is slow or away at start-up) stops for good, so a new one is
 * started after a pause that doubles up to {@link #MAX_RETRY_SECONDS}, until one syncs.
 */
public final class NamespaceCache implements NamespaceLabels, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NamespaceCache.class);
    static final long FIRST_RETRY_SECONDS = 1;
    static final long MAX_RETRY_SECONDS = 30;

    private final KubernetesAccess k8s;
    private final ScheduledExecutorService retry;
    private volatile SharedIndexInformer<Namespace> informer;
    private volatile boolean closed;

    /** A cache backed by an informer over all namespaces, started at once. */
    public NamespaceCache(KubernetesAccess k8s) {
        this.k8s = k8s;
        if (!k8s.available()) {
            this.retry = null;
            return;
        }
        this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "customs-namespace-informer");
            t.setDaemon(true);
            return t;
        });
        start(FIRST_RETRY_SECONDS);
    }

    private synchronized void start(long nextPause) {
        if (closed) {
            return;
        }
        SharedIndexInformer<Namespace> started = k8s.client().namespaces().runnableInformer(0);
        informer = started;
        started.start().whenComplete((v, e) -> {
            if (e == null) {
                return;
            }
            LOG.warnf("namespace informer could not start: %s; namespace label overrides are not applied and "
                    + "readiness stays down; trying again in %d s", e.getMessage(), nextPause);
            started.close();
            if (!closed) {
                retry.schedule(() -> start(Math.min(nextPause * 2, MAX_RETRY_SECONDS)), nextPause,
                        TimeUnit.SECONDS);
            }
        });
    }

    @Override
    public Map<String, String> labels(String namespace) {
        SharedIndexInformer<Namespace> i = informer;
        if (i == null || namespace == null || namespace.isEmpty()) {
            return Map.of();
        }
        Namespace ns = i.getStore().getByKey(namespace);
        if (ns == null || ns.getMetadata() == null || ns.getMetadata().getLabels() == null) {
            return Map.of();
        }
        return ns.getMetadata().getLabels();
    }

    /** True when there is no API to sync with, or the first list has arrived. */
    public boolean synced() {
        SharedIndexInformer<Namespace> i = informer;
        return !k8s.available() || (i != null && i.hasSynced());
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (retry != null) {
            retry.shutdownNow();
        }
        if (informer != null) {
            informer.close();
        }
    }
}
