package dev.customs.rules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code docker-socket}: a {@code hostPath} volume that exposes a container runtime socket. Whoever can talk to the
 * runtime can start a privileged container on the node, so such a mount is root on the host.
 *
 * <p>
 * Reads {@code spec.volumes[*].hostPath.path} and the containers' {@code volumeMounts}. The path is normalised
 * ({@code //}, {@code .}, {@code ..}, a trailing {@code /}, and {@code /var/run} ≡ {@code /run}) and fails when it is a
 * runtime socket or a directory containing one ({@code /}, {@code /var}, {@code /run}, {@code /run/containerd},
 * {@code /run/docker}, where dockerd keeps its own containerd's socket, ...).
 * The declaration alone fails, mounted or not; the message names the containers that mount it. When only some
 * containers are in scope (an ephemeral container being added), only volumes they mount are reported.
 */
public final class DockerSocket implements Rule {

    public static final String ID = "docker-socket";

    /** The runtime sockets every install knows, by runtime name, in their {@code /run} spelling. */
    public static final Map<String, String> DEFAULT_SOCKETS = defaults();

    private final Map<String, String> sockets;

    public DockerSocket() {
        this(List.of());
    }

    /** @param extraPaths more socket paths to protect, from configuration */
    public DockerSocket(Collection<String> extraPaths) {
        Map<String, String> all = new LinkedHashMap<>(DEFAULT_SOCKETS);
        for (String p : extraPaths) {
            all.putIfAbsent(normalise(p), "configured " + p); // reads "the configured /x/y.sock socket"
        }
        // insertion order, not Map.copyOf: messages list sockets in this order and must be the same on every run
        this.sockets = Collections.unmodifiableMap(all);
    }

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("/run/docker.sock", "Docker");
        // dockerd starts its own containerd there: /run/docker and /var/run/docker expose it
        m.put("/run/docker/containerd/containerd.sock", "dockerd's containerd");
        m.put("/run/containerd/containerd.sock", "containerd");
        m.put("/run/crio/crio.sock", "CRI-O");
        m.put("/run/cri-dockerd.sock", "cri-dockerd");
        m.put("/run/podman/podman.sock", "Podman");
        m.put("/run/k3s/containerd/containerd.sock", "k3s/RKE2 containerd");
        return Collections.unmodifiableMap(m);
    }

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
        List<PodView.Volume> volumes = pod.spec().volumes();
        for (int i = 0; i < volumes.size(); i++) {
            PodView.Volume v = volumes.get(i);
            if (v.hostPath() == null) {
                continue;
            }
            String path = v.hostPath();
            String exposed = exposedSockets(normalise(path));
            if (exposed == null) {
                continue;
            }
            List<ContainerView> mounters = pod.containers().stream()
                    .filter(c -> c.volumeMounts().stream()
                            .anyMatch(m -> v.name() != null && v.name().equals(m.name())))
                    .toList();
            if (!pod.podLevel() && mounters.isEmpty()) {
                continue;
            }
            String mountedBy = mounters.isEmpty() ? "declared but not mounted by any container"
                    : "mounted by " + mounters.stream().map(ContainerView::subject).collect(Collectors.joining(", "));
            out.podViolation(pod.field("volumes[" + i + "].hostPath.path"),
                    pod.subject() + ": hostPath volume \"" + v.name() + "\" (" + path + ") exposes " + exposed + ", "
                            + mountedBy,
                    "remove the volume: access to a container runtime socket is root on the node; build images "
                            + "with a daemonless builder (BuildKit rootless, kaniko, buildah) and read node state "
                            + "through the Kubernetes API");
        }
    }

    /** What a normalised path exposes, for the message, or null when it exposes no socket. */
    String exposedSockets(String path) {
        String exact = sockets.get(path);
        if (exact != null) {
            return "the " + exact + " socket";
        }
        List<String> inside = new ArrayList<>();
        for (var e : sockets.entrySet()) {
            if (contains(path, e.getKey()) || contains(path, "/var" + e.getKey())) {
                inside.add(e.getValue() + " (" + e.getKey() + ")");
            }
        }
        if (inside.isEmpty()) {
            return null;
        }
        return "a directory containing the " + String.join(", ", inside) + " socket" + (inside.size() > 1 ? "s" : "");
    }

    private static boolean contains(String dir, String socket) {
        return dir.equals("/") || socket.startsWith(dir + "/");
    }

    /**
     * Normalises a host path: collapses {@code //} and {@code .}, resolves {@code ..}, drops a trailing {@code /}, and
     * maps {@code /var/run} to {@code /run}, its symlink target on every current distribution.
     */
    static String normalise(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.strip().split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        String joined = "/" + String.join("/", parts);
        if (joined.equals("/var/run") || joined.startsWith("/var/run/")) {
            joined = joined.substring("/var".length());
        }
        return joined;
    }
}
