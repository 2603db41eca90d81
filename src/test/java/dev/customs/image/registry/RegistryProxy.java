package dev.customs.image.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A counting HTTP proxy in front of a test registry: it records every request (method, path, whether it carried
 * {@code Authorization}), and can delay answers, go down and come back on the same port, or answer chosen paths itself
 * (wrong bytes, a 50 MiB stream, a redirect, a schema 1 manifest, an error status with headers, a hang, a body cut off
 * mid-way). It also serves as a plain file host for redirect targets.
 */
public final class RegistryProxy implements AutoCloseable {

    /** One request as the proxy saw it. */
    public record Seen(String method, String path, boolean authorization) {
    }

    /** One request with when it arrived and when its answer was complete ({@link System#nanoTime()}). */
    public record Timed(Seen seen, long startNanos, long endNanos) {
    }

    /** Answers a request instead of the registry. */
    @FunctionalInterface
    public interface Answer {
        void answer(HttpExchange exchange) throws IOException;
    }

    private static final Set<String> HOP_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "date");

    private volatile URI upstream;
    private final int port;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-registry-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Seen> seen = new ArrayList<>();
    private final List<Timed> timed = new ArrayList<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private volatile Duration delay = Duration.ZERO;
    private volatile long blobBytesPerSecond;
    private HttpServer server;

    /** A proxy forwarding to {@code upstream}, or a plain file host when it is null. */
    public RegistryProxy(URI upstream) {
        this.upstream = upstream;
        try {
            this.port = TestRegistry.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        up();
    }

    public String authority() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Forwards from now on to another registry, as a load balancer does when a registry is replaced. */
    public void retarget(URI registry) {
        this.upstream = registry;
    }

    /** Delays every answer by {@code d}. */
    public void delay(Duration d) {
        this.delay = d;
    }

    /** Sends blob bodies at most this fast (0: as fast as possible), so a large layer takes a known least time. */
    public void throttleBlobs(long bytesPerSecond) {
        this.blobBytesPerSecond = bytesPerSecond;
    }

    /** GETs of blobs whose answer is complete. */
    public long blobGetsFinished(String digest) {
        return timed().stream().filter(t -> t.seen().method().equals("GET") && t.seen().path().endsWith("/blobs/" + digest))
                .count();
    }

    /** GETs of one blob, finished or not. */
    public long blobGets(String digest) {
        return count(s -> s.method().equals("GET") && s.path().endsWith("/blobs/" + digest));
    }

    /** Answers requests for exactly {@code path} (no query) itself. */
    public void answer(String path, Answer a) {
        answers.put(path, a);
    }

    public void clearAnswers() {
        answers.clear();
    }

    /**
     * How long the connections a stop closed take to leave a client's pool: without the wait, the next request of a
     * client that kept one open could go out on it and fail as "closed" (seen once in CI), not be refused. An idle event
     * loop needs far less.
     */
    static final Duration STALE_CONNECTIONS_GONE = Duration.ofMillis(500);

    /**
     * Stops listening: connections are refused until {@link #up()}. Returns once the connections it closed have had
     * {@link #STALE_CONNECTIONS_GONE} to leave their clients' pools.
     */
    public synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
            try {
                Thread.sleep(STALE_CONNECTIONS_GONE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public synchronized void up() {
        if (server != null) {
            return;
        }
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
            s.setExecutor(executor);
            s.createContext("/", this::handle);
            s.start();
            server = s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + port, e);
        }
    }

    public List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** The requests answered so far, with their timing (a request still in flight is not listed). */
    public List<Timed> timed() {
        synchronized (seen) {
            return List.copyOf(timed);
        }
    }

    /**
     * Waits until no request has arrived and none has been in flight for {@code quiet}, at most {@code atMost}: what
     * earlier work started at the registry (a layer scan goes on after its review was answered, a resolution after its
     * review gave up on it) is then over.
     *
     * @return false when the registry was still busy after {@code atMost}
     */
    public boolean awaitQuiet(Duration quiet, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        int count = -1;
        long quietSince = 0;
        while (true) {
            long now = System.nanoTime();
            int arrived;
            boolean inFlight;
            synchronized (seen) {
                arrived = seen.size();
                inFlight = timed.size() != arrived;
            }
            if (inFlight || arrived != count) {
                count = arrived;
                quietSince = now;
            } else if (now - quietSince >= quiet.toNanos()) {
                return true;
            }
            if (now > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    /** Requests that arrived and are not answered yet. */
    public int inFlight() {
        synchronized (seen) {
            return seen.size() - timed.size();
        }
    }

    public void reset() {
        synchronized (seen) {
            seen.clear();
            timed.clear();
        }
    }

    public long count(Predicate<Seen> p) {
        return seen().stream().filter(p).count();
    }

    public long total() {
        return seen().size();
    }

    public long manifestGets() {
        return count(s -> s.method.equals("GET") && s.path.contains("/manifests/"));
    }

    public long manifestHeads() {
        return count(s -> s.method.equals("HEAD") && s.path.contains("/manifests/"));
    }

    public long blobGets() {
        return count(s -> s.method.equals("GET") && s.path.contains("/blobs/"));
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        long start = System.nanoTime();
        Seen request = new Seen(ex.getRequestMethod(), path, ex.getRequestHeaders().containsKey("Authorization"));
        synchronized (seen) {
            seen.add(request);
        }
        try (ex) {
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            Answer a = answers.get(path);
            if (a != null) {
                a.answer(ex);
                return;
            }
            if (upstream == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            forward(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away (timeout, size cap): nothing to answer
        } finally {
            long end = System.nanoTime();
            synchronized (seen) {
                timed.add(new Timed(request, start, end));
            }
        }
    }

    private void forward(HttpExchange ex) throws IOException, InterruptedException {
        URI target = upstream.resolve(ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
        for (String h : List.of("Accept", "Authorization")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        HttpResponse<java.io.InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        r.headers().map().forEach((k, v) -> {
            if (!HOP_HEADERS.contains(k.toLowerCase()) && !k.startsWith(":")) {
                ex.getResponseHeaders().put(k, v);
            }
        });
        boolean head = ex.getRequestMethod().equals("HEAD");
        long length = r.headers().firstValueAsLong("content-length").orElse(-1);
        try (java.io.InputStream body = r.body()) {
            if (head || length == 0) {
                ex.sendResponseHeaders(r.statusCode(), -1);
                return;
            }
            // streamed, not buffered: a 200 MB layer passes through without being held
            ex.sendResponseHeaders(r.statusCode(), length < 0 ? 0 : length);
            long rate = ex.getRequestURI().getRawPath().contains("/blobs/") ? blobBytesPerSecond : 0;
            byte[] chunk = new byte[64 * 1024];
            long started = System.nanoTime();
            long sent = 0;
            OutputStream out = ex.getResponseBody();
            int n;
            while ((n = body.read(chunk)) > 0) {
                out.write(chunk, 0, n);
                sent += n;
                if (rate > 0) {
                    long due = started + (long) (sent * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        }
    }

    // ---- ready-made answers ----

    public static Answer bytes(int status, String contentType, byte[] body) {
        return ex -> {
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, ex.getRequestMethod().equals("HEAD") ? -1 : body.length);
            if (!ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseBody().write(body);
            }
        };
    }

    /** Answers {@code status} with extra headers (such as {@code Retry-After}) and a body. */
    public static Answer status(int status, Map<String, String> headers, String contentType, byte[] body) {
        Answer plain = bytes(status, contentType, body);
        return ex -> {
            headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            plain.answer(ex);
        };
    }

    /** Takes the request and answers nothing for {@code d}: a registry that hangs. */
    public static Answer hang(Duration d) {
        return ex -> {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /**
     * Declares the whole {@code body} in Content-Length, sends only its first {@code sent} bytes, then drops the
     * connection: a registry (or a proxy in between) that dies mid-answer.
     */
    public static Answer truncated(String contentType, byte[] body, int sent) {
        return ex -> {
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body, 0, sent);
            ex.getResponseBody().flush();
            // an unchecked exception out of the handler makes the JDK server close the connection at once
            throw new DroppedConnection();
        };
    }

    /** Thrown by an answer to make the server drop the connection instead of finishing the exchange. */
    static final class DroppedConnection extends RuntimeException {
        DroppedConnection() {
            super("connection dropped on purpose", null, false, false);
        }
    }

    public static Answer redirect(String location) {
        return ex -> {
            ex.getResponseHeaders().set("Location", location);
            ex.sendResponseHeaders(307, -1);
        };
    }

    /** Streams {@code total} bytes without a Content-Length; {@code written} counts what got through. */
    public static Answer stream(String contentType, long total, AtomicLong written) {
        return ex -> {
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            OutputStream out = ex.getResponseBody();
            while (written.get() < total) {
                out.write(chunk);
                out.flush();
                written.addAndGet(chunk.length);
            }
        };
    }

    @Override
    public void close() {
        down();
        executor.shutdownNow();
    }
}
