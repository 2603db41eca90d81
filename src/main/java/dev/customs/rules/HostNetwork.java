package dev.customs.rules;

import java.util.stream.Collectors;

/**
 * {@code host-network}: {@code spec.hostNetwork: true}. Every container of such a pod shares the node's network
 * namespace: it can bind any node port, reach node-local services and sniff the node's traffic. Unset or false passes.
 */
public final class HostNetwork implements Rule {

    public static final String ID = "host-network";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean readsImage() {
        return false;
    }

    @Override
    public void evaluate(PodView pod, ImageLookup images, Findings out) {
        if (!pod.podLevel() || !Boolean.TRUE.equals(pod.spec().hostNetwork())) {
            return;
        }
        int n = pod.containers().size();
        String who = n == 0 ? "its containers share"
                : pod.containers().stream().map(ContainerView::subject).collect(Collectors.joining(", "))
                        + (n == 1 ? " shares" : " share");
        out.podViolation(pod.field("hostNetwork"),
                pod.subject() + " sets hostNetwork: true, so " + who + " the node's network namespace",
                "remove hostNetwork (or set it to false) and expose ports with containerPort and a Service");
    }
}
