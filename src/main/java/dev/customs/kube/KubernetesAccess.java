package dev.customs.kube;

import java.util.function.Supplier;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Whether a Kubernetes API is there to talk to. In a cluster (or with a kubeconfig or an explicit API server URL)
 * Customs posts Events and keeps informers; in a local run without any, it serves admission all the same and logs
 * Events instead.
 *
 * <p>
 * The client itself is built on first use, not at start-up: building it loads much of fabric8 (a sixth of a second of
 * a cold start), which a run without an API never needs and which a run with one needs only when its informers start.
 */
public final class KubernetesAccess {

    private static final String IN_CLUSTER_DEFAULT = "kubernetes.default.svc";

    private final Supplier<KubernetesClient> client;
    private final boolean available;
    private volatile KubernetesClient built;

    /**
     * @param config the client configuration (API server URL, credentials), read without building a client
     * @param client builds the client; called at most once, on first use
     */
    public KubernetesAccess(Config config, Supplier<KubernetesClient> client) {
        this.client = client;
        String master = config.getMasterUrl();
        boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
        this.available = inCluster || master != null && !master.contains(IN_CLUSTER_DEFAULT);
    }

    /** Access through a client that already exists. */
    public KubernetesAccess(KubernetesClient client) {
        this(client.getConfiguration(), () -> client);
    }

    public boolean available() {
        return available;
    }

    public KubernetesClient client() {
        KubernetesClient c = built;
        if (c == null) {
            synchronized (this) {
                c = built;
                if (c == null) {
                    c = client.get();
                    built = c;
                }
            }
        }
        return c;
    }
}
