package dev.customs.kube;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Whether a Kubernetes API is there to talk to. In a cluster (or with a kubeconfig or an explicit API server URL)
 * Customs posts Events and keeps informers; in a local run without any, it serves admission all the same and logs
 * Events instead.
 */
public final class KubernetesAccess {

    private static final String IN_CLUSTER_DEFAULT = "kubernetes.default.svc";

    private final KubernetesClient client;
    private final boolean available;

    public KubernetesAccess(KubernetesClient client) {
        this.client = client;
        String master = client.getConfiguration().getMasterUrl();
        boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
        this.available = inCluster || master != null && !master.contains(IN_CLUSTER_DEFAULT);
    }

    public boolean available() {
        return available;
    }

    public KubernetesClient client() {
        return client;
    }
}
