package dev.customs.image.registry;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import dev.customs.image.registry.RegistryFailure.Kind;
import dev.customs.report.Recorder;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;

/**
 * One HTTP exchange with a registry host, non-blocking over Vert.x: the host is checked by the {@link AddressGuard}
 * and the connection made to the checked address; the body is read up to a cap and the exchange cut off as soon as it
 * is exceeded (a 50 MiB answer is never buffered); the whole exchange, connect to last byte, has one deadline. No
 * redirect is followed here and nothing is retried. Results are handed over on the worker executor, so parsing and
 * hashing never run on an event loop.
 */
final class RegistryHttp implements AutoCloseable {

    /** Connections kept per registry host, and requests that may wait for one beyond them. */
    static final int MAX_CONNECTIONS = 16;
    static final int MAX_WAITING = 256;

    /**
     * Background exchanges (the audit's) under way at once per registry host: a quarter of the connections, so however
     * many images the audit resolves, admission finds three quarters of them free. Beyond it a background exchange
     * waits here, before it asks the pool, so it never queues in front of admission for a connection either.
     */
    static final int BACKGROUND_CONNECTIONS = MAX_CONNECTIONS / 4;

    /** Error answers are read only this far, for their message. */
    static final int ERROR_BODY_CAP = 64 * 1024;

    /**
     * Registry hosts come from pod specs, which anyone who can create a pod writes: past this many distinct hosts, the
     * metric label is {@code other}, so a flood of made-up hosts cannot blow up metric cardinality.
     */
    static final int MAX_REGISTRY_LABELS = 64;

    /**
     * One request: {@code what} names the body in failure messages ("manifest", "config blob"). With {@code stream}, a
     * successful answer's body is not read here but handed over as {@link Reply#stream()}, read by the caller on its
     * own thread; the deadline then covers the answer's headers, and an idle timeout each wait for data after them.
     * With {@code background} (the audit's requests), it takes one of the host's {@link #BACKGROUND_CONNECTIONS}, and
     * waits for one when they are all in use.
     */
    record Exchange(HttpMethod method, URI uri, Map<String, String> headers, long maxBody, String what, String registry,
            boolean stream, boolean background) {
        Exchange(HttpMethod method, URI uri, Map<String, String> headers, long maxBody, String what, String registry,
                boolean stream) {
            this(method, uri, headers, maxBody, what, registry, stream, false);
        }

        Exchange(HttpMethod method, URI uri, Map<String, String> headers, long maxBody, String what, String registry) {
            this(method, uri, headers, maxBody, what, registry, false, false);
        }
    }

    /**
     * One answer, with the URI it came from; {@code held}: its share of the bytes in flight, returned after use. A
     * streamed answer has its body in {@code stream}, not in {@code body}, and holds nothing of the bytes in flight.
     */
    record Reply(int status, MultiMap headers, byte[] body, URI uri, long held, InputStream stream) {
        Reply(int status, MultiMap headers, byte[] body, URI uri, long held) {
            this(status, headers, body, uri, held, null);
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /**
     * Bytes of registry answers held at once, from their first byte until whoever asked for them has parsed them:
     * hosts come from pod specs, and each may send up to the body cap (8 MiB for a config). Past it an exchange is
     * {@link Kind#BUSY}: back-pressure, never remembered as a failure. One answer always fits when nothing else is in
     * flight. A streamed body (a layer) is not held here: its reader takes it a buffer at a time.
     */
    static final long MAX_BYTES_IN_FLIGHT = 16L * 1024 * 1024;

    /** How long a streamed body may go without data before the read fails. */
    static final long STREAM_IDLE_MILLIS = 30_000;

    private final Vertx vertx;
    private final HttpClient client;
    private final AddressGuard guard;
    private final Executor workers;
    private final Duration timeout;
    private final Recorder recorder;
    private final Set<String> registryLabels = ConcurrentHashMap.newKeySet();
    /** Exchanges under way per scheme and host: past the pool size, a new one waits for a connection. */
    private final Map<String, Integer> active = new ConcurrentHashMap<>();
    private final AtomicLong bytesInFlight = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    /** Per scheme and host, the background exchanges under way and those waiting for their share; guarded by itself. */
    private final Map<String, Share> shares = new HashMap<>();
    /** Background exchanges waiting for their share, over all hosts; guarded by {@link #shares}. */
    private int backgroundWaiting;

    /** The background share of one host. */
    private static final class Share {
        int active;
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    }

    RegistryHttp(Vertx vertx, TrustOptions trust, AddressGuard guard, Executor workers, Duration timeout,
            Recorder recorder) {
        this.vertx = vertx;
        HttpClientOptions options = new HttpClientOptions().setName("customs-registry").setMaxPoolSize(MAX_CONNECTIONS)
                .setKeepAlive(true).setKeepAliveTimeout(30).setMaxWaitQueueSize(MAX_WAITING).setVerifyHost(true)
                .setDecompressionSupported(false).setConnectTimeout((int) timeout.toMillis());
        if (trust != null) {
            options.setTrustOptions(trust);
        }
        this.client = vertx.createHttpClient(options);
        this.guard = guard;
        this.workers = workers;
        this.timeout = timeout;
        this.recorder = recorder;
    }

    CompletableFuture<Reply> send(Exchange ex) {
        URI uri = ex.uri();
        // a streamed body holds its connection after the exchange completes, until it is read: never in the share
        if (!ex.background() || ex.stream() || uri.getHost() == null) {
            return sendNow(ex);
        }
        String pool = uri.getScheme() + "://" + host(uri);
        CompletableFuture<Reply> result = new CompletableFuture<>();
        Runnable start = () -> {
            CompletableFuture<Reply> sent;
            try {
                sent = sendNow(ex);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((reply, e) -> {
                releaseShare(pool);
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(reply);
                }
            });
        };
        synchronized (shares) {
            Share share = shares.computeIfAbsent(pool, k -> new Share());
            if (share.active >= BACKGROUND_CONNECTIONS) {
                if (backgroundWaiting >= MAX_WAITING) {
                    return CompletableFuture.failedFuture(new RegistryFailure(Kind.BUSY, "Customs is busy: "
                            + MAX_WAITING + " background registry requests wait for a connection"));
                }
                share.waiting.add(start);
                backgroundWaiting++;
                return result;
            }
            share.active++;
        }
        start.run();
        return result;
    }

    /** One background exchange of {@code pool} ended: the next waiting one takes its place. */
    private void releaseShare(String pool) {
        Runnable next;
        synchronized (shares) {
            Share share = shares.get(pool);
            if (share == null) {
                return;
            }
            next = share.waiting.poll();
            if (next != null) {
                backgroundWaiting--;
            } else if (--share.active == 0) {
                shares.remove(pool);
            }
        }
        if (next != null) {
            next.run();
        }
    }

    /** Background exchanges under way to {@code pool} ({@code scheme://host[:port]}); for tests. */
    int backgroundActive(String pool) {
        synchronized (shares) {
            Share share = shares.get(pool);
            return share == null ? 0 : share.active;
        }
    }

    private CompletableFuture<Reply> sendNow(Exchange ex) {
        URI uri = ex.uri();
        if (uri.getHost() == null) {
            // 127.1, 0x7f.1, foo_bar: java.net.URI reads no host in them, so there is nothing to check or connect to
            return CompletableFuture.failedFuture(AddressGuard.unparsable(uri.getRawAuthority()));
        }
        boolean https = "https".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : (https ? 443 : 80);
        CompletableFuture<Reply> result = new CompletableFuture<>();
        guard.check(uri.getHost(), port).thenCompose(address -> exchange(ex, address, port, https))
                .whenComplete((reply, e) -> {
                    // parsing and hashing run on the workers, never on an event loop; the answer's bytes are returned
                    // to the budget once the stages waiting for it (parse, hash, cache) have run
                    try {
                        workers.execute(() -> {
                            try {
                                if (e != null) {
                                    result.completeExceptionally(e);
                                } else {
                                    result.complete(reply);
                                }
                            } finally {
                                if (reply != null) {
                                    bytesInFlight.addAndGet(-reply.held());
                                }
                            }
                        });
                    } catch (RejectedExecutionException rejected) {
                        if (reply != null) {
                            bytesInFlight.addAndGet(-reply.held());
                            closeQuietly(reply.stream());
                        }
                        result.completeExceptionally(RegistryFailure.of(rejected));
                    }
                });
        return result;
    }

    /** Closes {@code c} (if any), ignoring a failure to: it is abandoned either way. */
    static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // abandoned either way
            }
        }
    }

    /** Adds {@code bytes} to the answers in flight; false when they do not fit. */
    private boolean hold(long bytes) {
        while (true) {
            long now = bytesInFlight.get();
            if (now != 0 && now + bytes > MAX_BYTES_IN_FLIGHT) {
                return false;
            }
            if (bytesInFlight.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    private static RegistryFailure busyReading() {
        return new RegistryFailure(Kind.BUSY, "Customs is busy: it is reading " + mib(MAX_BYTES_IN_FLIGHT)
                + " of registry answers, the most it holds at once");
    }

    private CompletableFuture<Reply> exchange(Exchange ex, InetAddress address, int port, boolean https) {
        URI uri = ex.uri();
        long ms = timeout.toMillis();
        CompletableFuture<Reply> out = new CompletableFuture<>();
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        long started = System.nanoTime();
        String pool = (https ? "https://" : "http://") + host(uri);
        boolean queued = active.merge(pool, 1, Integer::sum) > MAX_CONNECTIONS;
        long timer = vertx.setTimer(ms, id -> {
            // still without a connection while every one was taken: it waited behind other lookups, and the registry
            // was never asked, so this is back-pressure, not a registry failure
            RegistryFailure f = request.get() == null && queued
                    ? new RegistryFailure(Kind.BUSY, "Customs is busy: all " + MAX_CONNECTIONS + " connections to "
                            + host(uri) + " stayed in use for " + ms + " ms")
                    : new RegistryFailure(Kind.UNAVAILABLE, host(uri) + " did not answer within " + ms + " ms");
            if (out.completeExceptionally(f)) {
                reset(request.get());
            }
        });
        out.whenComplete((r, e) -> {
            vertx.cancelTimer(timer);
            active.computeIfPresent(pool, (k, n) -> n == 1 ? null : n - 1);
            recorder.registryRequest(label(ex.registry()), Duration.ofNanos(System.nanoTime() - started));
        });
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        RequestOptions options = new RequestOptions().setMethod(ex.method()).setHost(uri.getHost()).setPort(port)
                .setSsl(https).setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
                .setConnectTimeout(ms).setFollowRedirects(false);
        ex.headers().forEach(options::putHeader);
        attempt(ex, options, ms, out, request, true);
        return out;
    }

    /**
     * Sends the request once. A GET or HEAD whose connection closed before any answer came is sent once more, within
     * the same deadline: a registry or a load balancer may close an idle keep-alive connection just as it is reused,
     * and that must not make an image unverified (with {@code on-error=deny}, a denial).
     */
    private void attempt(Exchange ex, RequestOptions options, long ms, CompletableFuture<Reply> out,
            AtomicReference<HttpClientRequest> request, boolean mayRetry) {
        URI uri = ex.uri();
        AtomicBoolean failed = new AtomicBoolean();
        AtomicBoolean answered = new AtomicBoolean();
        Consumer<Throwable> fail = e -> {
            // the request's exception handler and its send() may both report one failure: act on the first
            if (!failed.compareAndSet(false, true) || out.isDone()) {
                return;
            }
            if (mayRetry && !answered.get() && closedBeforeAnswer(e)
                    && (ex.method() == HttpMethod.GET || ex.method() == HttpMethod.HEAD)) {
                retries.incrementAndGet();
                attempt(ex, options, ms, out, request, false);
            } else {
                out.completeExceptionally(failure(uri, e));
            }
        };
        Future<HttpClientRequest> pending;
        try {
            pending = client.request(options);
        } catch (IllegalStateException closed) {
            // the client is closed: Customs is stopping (a retry after its connections closed comes here). Thrown out
            // of a Vert.x callback, this left the request without an answer and was logged as an uncaught error.
            out.completeExceptionally(new RegistryFailure(Kind.UNAVAILABLE, "Customs is stopping: its connections to "
                    + host(uri) + " are closed"));
            return;
        }
        pending.onFailure(fail::accept).onSuccess(req -> {
            // first: a reset (the deadline passed while the request waited for a connection) is reported to this
            // handler, not logged by Vert.x as unhandled
            req.exceptionHandler(fail::accept);
            request.set(req);
            if (out.isDone()) {
                reset(req);
                return;
            }
            // armed here, not in the options: Vert.x starts an options' idle timer when it creates the request, and
            // on a busy event loop it could fire before this handler is in place, to be logged as unhandled
            req.idleTimeout(ex.stream() ? STREAM_IDLE_MILLIS : ms);
            req.send().onFailure(fail::accept).onSuccess(resp -> {
                answered.set(true);
                read(ex, req, resp, out);
            });
        });
    }

    /** The connection closed (or was reset by the peer) before the answer's status line arrived. */
    private static boolean closedBeforeAnswer(Throwable e) {
        Throwable root = root(e);
        if (e instanceof HttpClosedException || root instanceof HttpClosedException) {
            return true;
        }
        return root instanceof IOException && !(root instanceof ConnectException) && root.getMessage() != null
                && root.getMessage().contains("Connection reset");
    }

    private static Throwable root(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** Requests sent again because their connection closed before any answer; for tests. */
    long retries() {
        return retries.get();
    }

    private void read(Exchange ex, HttpClientRequest req, HttpClientResponse resp, CompletableFuture<Reply> out) {
        AtomicLong held = new AtomicLong();
        Runnable giveBack = () -> bytesInFlight.addAndGet(-held.getAndSet(0));
        // first: a reset below (too large, busy) is reported here, not logged by Vert.x as unhandled
        resp.exceptionHandler(e -> {
            if (out.completeExceptionally(failure(ex.uri(), e))) {
                giveBack.run();
            }
        });
        boolean ok = resp.statusCode() / 100 == 2;
        if (ok && ex.stream()) {
            StreamingBody body = new StreamingBody(req, resp, Vertx.currentContext(), STREAM_IDLE_MILLIS, ex.what());
            if (!out.complete(new Reply(resp.statusCode(), resp.headers(), null, ex.uri(), 0, body))) {
                body.close();
            }
            return;
        }
        long cap = ok ? ex.maxBody() : Math.min(ex.maxBody(), ERROR_BODY_CAP);
        String length = resp.getHeader("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                // no usable length: the streaming count below still applies
            }
        }
        if (ok && declared > cap) {
            out.completeExceptionally(tooLarge(ex));
            reset(req);
            return;
        }
        // every path below either hands the held bytes to the Reply or returns them
        if (declared > 0 && declared <= cap) {
            if (!hold(declared)) {
                out.completeExceptionally(busyReading());
                reset(req);
                return;
            }
            held.set(declared);
        }
        Buffer body = Buffer.buffer((int) Math.max(0, Math.min(declared, cap)));
        resp.handler(chunk -> {
            if (out.isDone()) {
                return;
            }
            long size = (long) body.length() + chunk.length();
            if (size > cap) {
                if (ok) {
                    out.completeExceptionally(tooLarge(ex));
                    giveBack.run();
                } else {
                    long h = held.getAndSet(0);
                    if (!out.complete(new Reply(resp.statusCode(), resp.headers(), body.getBytes(), ex.uri(), h))) {
                        bytesInFlight.addAndGet(-h);
                    }
                }
                reset(req);
                return;
            }
            long more = size - held.get();
            if (more > 0) {
                if (!hold(more)) {
                    out.completeExceptionally(busyReading());
                    giveBack.run();
                    reset(req);
                    return;
                }
                held.addAndGet(more);
                if (out.isDone()) {
                    giveBack.run(); // ended from outside meanwhile
                    return;
                }
            }
            body.appendBuffer(chunk);
        });
        resp.endHandler(v -> {
            long h = held.getAndSet(0);
            if (!out.complete(new Reply(resp.statusCode(), resp.headers(), body.getBytes(), ex.uri(), h))) {
                bytesInFlight.addAndGet(-h);
            }
        });
        // a timeout ends the exchange from outside: return what it held
        out.whenComplete((r, e) -> {
            if (e != null) {
                resp.handler(null);
                giveBack.run();
            }
        });
    }

    private String label(String registry) {
        if (registryLabels.contains(registry)
                || (registryLabels.size() < MAX_REGISTRY_LABELS && registryLabels.add(registry))) {
            return registry;
        }
        return "other";
    }

    private static RegistryFailure tooLarge(Exchange ex) {
        return new RegistryFailure(Kind.INVALID, "the " + ex.what() + " is larger than " + mib(ex.maxBody())
                + " (the limit Customs reads)");
    }

    static String mib(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }

    private static void reset(HttpClientRequest req) {
        if (req != null) {
            req.reset();
        }
    }

    private static RegistryFailure failure(URI uri, Throwable e) {
        if (e instanceof RegistryFailure f) {
            return f;
        }
        String host = host(uri);
        Throwable root = root(e);
        if (e instanceof ConnectionPoolTooBusyException || root instanceof ConnectionPoolTooBusyException) {
            return new RegistryFailure(Kind.BUSY, "Customs is busy: its " + MAX_CONNECTIONS + " connections to "
                    + host + " are in use and " + MAX_WAITING + " more requests wait for one");
        }
        if (e instanceof ConnectException || root instanceof ConnectException) {
            return new RegistryFailure(Kind.UNAVAILABLE, "cannot connect to " + host);
        }
        if (e instanceof TimeoutException || root instanceof TimeoutException
                || e.getClass().getSimpleName().contains("Timeout")) {
            return new RegistryFailure(Kind.UNAVAILABLE, host + " did not answer in time");
        }
        if (e instanceof SSLException || root instanceof SSLException) {
            return new RegistryFailure(Kind.UNAVAILABLE, "TLS with " + host + " failed: " + root.getMessage());
        }
        return new RegistryFailure(Kind.UNAVAILABLE, "the connection to " + host + " failed ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
    }

    /** {@code host[:port]} of a URI, never its path or query (which may carry a pre-signed credential). */
    static String host(URI uri) {
        return uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    }

    @Override
    public void close() {
        client.close();
    }
}
