package dev.customs.image.registry;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.customs.config.CustomsConfig;
import dev.customs.policy.OnError;
import io.quarkus.runtime.configuration.MemorySize;

/**
 * The {@link WarmUpImage} served as a registry serves it, over plain HTTP/1.1 with keep-alive, on a port of 127.0.0.1
 * that the system picks, for as long as the start-up warm-up runs ({@link RegistryImageInspector#warmUp}): only
 * processes in Customs' own network namespace (its pod) can reach it, and all it serves is the built-in image. Any
 * repository holds the image: any tag names its index, and its manifests and blobs are found by digest, with the
 * headers a registry sends ({@code Content-Type}, {@code Docker-Content-Digest}). Anything else is a registry's 404.
 *
 * <p>
 * It is a plain socket server on threads of its own, not a Vert.x server, so the server's half of each exchange stays
 * off the event loops that serve admission (the client's half runs there, as a real miss's does), and Quarkus does not
 * count its requests in the metrics of Customs' HTTP server. Its threads ask for the lowest priority, which the chart's
 * JVM flags make nice 19. At most {@link RegistryHttp#MAX_CONNECTIONS} connections are served at once; beyond them a
 * connection is closed as soon as it is accepted.
 */
final class WarmUpRegistry implements AutoCloseable {

    /** A request head longer than this is not one the warm-up's client sends: the connection is closed. */
    private static final int MAX_HEAD = 8 * 1024;

    private final WarmUpImage image;
    private final ServerSocket server;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private WarmUpRegistry(WarmUpImage image, ServerSocket server) {
        this.image = image;
        this.server = server;
    }

    /** Listens on 127.0.0.1, on a port the system picks; {@code idle} closes a connection that sends nothing. */
    static WarmUpRegistry start(WarmUpImage image, Duration idle) throws IOException {
        ServerSocket socket = new ServerSocket(0, 16, InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }));
        WarmUpRegistry registry = new WarmUpRegistry(image, socket);
        Thread accept = new Thread(() -> registry.accept((int) Math.max(1, idle.toMillis())),
                "customs-warm-up-registry");
        accept.setDaemon(true);
        accept.setPriority(Thread.MIN_PRIORITY);
        accept.start();
        return registry;
    }

    /** {@code 127.0.0.1:<port>}. */
    String authority() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void accept(int idleMillis) {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                s.setSoTimeout(idleMillis);
                s.setTcpNoDelay(true);
            } catch (IOException e) {
                RegistryHttp.closeQuietly(s);
                continue;
            }
            if (connections.size() >= RegistryHttp.MAX_CONNECTIONS) {
                RegistryHttp.closeQuietly(s); // the warm-up's client never opens more
                continue;
            }
            connections.add(s);
            if (server.isClosed()) { // accepted while close() went through the connections
                connections.remove(s);
                RegistryHttp.closeQuietly(s);
                return;
            }
            Thread t = new Thread(() -> converse(s), "customs-warm-up-registry");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    /** Answers the connection's requests one after the other, until it closes or sends what this cannot read. */
    private void converse(Socket s) {
        // requests have no body and one thread reads each connection, so a buffer cannot hold back the next request
        try (s;
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8 * 1024)) {
            String head;
            while ((head = readHead(in)) != null) {
                String[] line = head.substring(0, Math.max(0, head.indexOf("\r\n"))).split(" ");
                if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
                    return;
                }
                answer(line[0], line[1], out);
            }
        } catch (IOException e) {
            // closed, by either side
        } finally {
            connections.remove(s);
        }
    }

    /** The request head up to its blank line, or null at the end of the stream or past {@link #MAX_HEAD}. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private void answer(String method, String path, OutputStream out) throws IOException {
        boolean get = method.equals("GET");
        byte[] body = null;
        String digest = null;
        String type = null;
        if ((get || method.equals("HEAD")) && path.startsWith("/v2/")) {
            int manifests = path.lastIndexOf("/manifests/");
            int blobs = path.lastIndexOf("/blobs/");
            if (manifests > 0) {
                String ref = path.substring(manifests + "/manifests/".length());
                digest = ref.startsWith("sha256:") ? ref : image.indexDigest();
                type = digest.equals(image.indexDigest()) ? RegistryClient.OCI_INDEX : RegistryClient.OCI_MANIFEST;
                body = image.manifests().get(digest);
            } else if (blobs > 0) {
                digest = path.substring(blobs + "/blobs/".length());
                type = "application/octet-stream";
                body = image.blobs().get(digest);
            }
        }
        StringBuilder response = new StringBuilder(256);
        if (body == null) {
            body = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"not served by the warm-up registry\"}]}"
                    .getBytes(StandardCharsets.UTF_8);
            response.append("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n");
            get = !method.equals("HEAD");
        } else {
            response.append("HTTP/1.1 200 OK\r\nContent-Type: ").append(type).append("\r\nDocker-Content-Digest: ")
                    .append(digest).append("\r\n");
        }
        response.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(response.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (get) {
            out.write(body);
        }
        out.flush();
    }

    @Override
    public void close() {
        RegistryHttp.closeQuietly(server);
        connections.forEach(RegistryHttp::closeQuietly);
    }

    /**
     * The registry configuration of the warm-up's own inspector: the operator's, so the same code runs (time limits,
     * blocked networks, platforms), with this registry as the only insecure one (the loopback address is allowed for its
     * port alone) and nothing that would reach beyond it or hold much: no mirrors, CA file, auth file or pull secrets,
     * small caches.
     */
    static CustomsConfig.Registry config(CustomsConfig.Registry operator, String authority) {
        return new CustomsConfig.Registry() {
            @Override
            public OnError onError() {
                return operator.onError();
            }

            @Override
            public Duration budget() {
                return operator.budget();
            }

            @Override
            public Duration requestTimeout() {
                return operator.requestTimeout();
            }

            @Override
            public Optional<List<String>> insecureRegistries() {
                return Optional.of(List.of(authority));
            }

            @Override
            public Map<String, String> mirrors() {
                return Map.of();
            }

            @Override
            public Optional<Path> caFile() {
                return Optional.empty();
            }

            @Override
            public Optional<Path> authFile() {
                return Optional.empty();
            }

            @Override
            public boolean usePullSecrets() {
                return false;
            }

            @Override
            public Optional<List<String>> platforms() {
                return operator.platforms();
            }

            @Override
            public List<String> blockedNetworks() {
                return operator.blockedNetworks();
            }

            @Override
            public Optional<List<String>> allowedHosts() {
                return Optional.empty();
            }

            @Override
            public Duration tagTtl() {
                return operator.tagTtl();
            }

            @Override
            public Duration maxStale() {
                return operator.maxStale();
            }

            @Override
            public Duration negativeTtl() {
                return operator.negativeTtl();
            }

            @Override
            public int cacheSize() {
                return 1_000;
            }

            @Override
            public MemorySize cacheMemory() {
                return new MemorySize(java.math.BigInteger.valueOf(4L << 20));
            }
        };
    }
}
