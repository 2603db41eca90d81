package dev.customs.image.registry;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import javax.net.ssl.SSLException;

import dev.customs.image.registry.RegistryFailure.Kind;
import dev.customs.report.Recorder;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
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
     */
    record Exchange(HttpMethod method, URI uri, Map<String, String> headers, long maxBody, String what, String registry,
            boolean stream) {
        Exchange(HttpMethod method, URI uri, Map<String, String> headers, long maxBody, String what, String registry) {
            this(method, uri, headers, maxBody, what, registry, false);
        }
    }

    /** One answer, with the URI it came from; a streamed answer has its body in {@code stream}, not in {@code body}. */
    record Reply(int status, MultiMap headers, byte[] body, URI uri, InputStream stream) {
        Reply(int status, MultiMap headers, byte[] body, URI uri) {
            this(status, headers, body, uri, null);
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /** How long a streamed body may go without data before the read fails. */
    static final long STREAM_IDLE_MILLIS = 30_000;

    private final Vertx vertx;
    private final HttpClient client;
    private final AddressGuard guard;
    private final Executor workers;
    private final Duration timeout;
    private final Recorder recorder;
    private final Set<String> registryLabels = ConcurrentHashMap.newKeySet();

    RegistryHttp(Vertx vertx, TrustOptions trust, AddressGuard guard, Executor workers, Duration timeout,
            Recorder recorder) {
        this.vertx = vertx;
        HttpClientOptions options = new HttpClientOptions().setName("customs-registry").setMaxPoolSize(16)
                .setKeepAlive(true).setKeepAliveTimeout(30).setMaxWaitQueueSize(256).setVerifyHost(true)
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
        boolean https = "https".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : (https ? 443 : 80);
        return guard.check(uri.getHost(), port)
                .thenCompose(address -> exchange(ex, address, port, https))
                .thenApplyAsync(Function.identity(), workers);
    }

    private CompletableFuture<Reply> exchange(Exchange ex, InetAddress address, int port, boolean https) {
        URI uri = ex.uri();
        long ms = timeout.toMillis();
        CompletableFuture<Reply> out = new CompletableFuture<>();
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        long started = System.nanoTime();
        long timer = vertx.setTimer(ms, id -> {
            if (out.completeExceptionally(new RegistryFailure(Kind.UNAVAILABLE,
                    host(uri) + " did not answer within " + ms + " ms"))) {
                reset(request.get());
            }
        });
        out.whenComplete((r, e) -> {
            vertx.cancelTimer(timer);
            recorder.registryRequest(label(ex.registry()), Duration.ofNanos(System.nanoTime() - started));
        });
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        RequestOptions options = new RequestOptions().setMethod(ex.method()).setHost(uri.getHost()).setPort(port)
                .setSsl(https).setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
                .setConnectTimeout(ms).setIdleTimeout(ex.stream() ? STREAM_IDLE_MILLIS : ms).setFollowRedirects(false);
        ex.headers().forEach(options::putHeader);
        client.request(options).onFailure(e -> out.completeExceptionally(failure(uri, e))).onSuccess(req -> {
            request.set(req);
            if (out.isDone()) {
                reset(req);
                return;
            }
            req.exceptionHandler(e -> out.completeExceptionally(failure(uri, e)));
            req.send().onFailure(e -> out.completeExceptionally(failure(uri, e)))
                    .onSuccess(resp -> read(ex, req, resp, out));
        });
        return out;
    }

    private void read(Exchange ex, HttpClientRequest req, HttpClientResponse resp, CompletableFuture<Reply> out) {
        resp.exceptionHandler(e -> out.completeExceptionally(failure(ex.uri(), e)));
        boolean ok = resp.statusCode() / 100 == 2;
        if (ok && ex.stream()) {
            StreamingBody body = new StreamingBody(req, resp, Vertx.currentContext(), STREAM_IDLE_MILLIS, ex.what());
            if (!out.complete(new Reply(resp.statusCode(), resp.headers(), null, ex.uri(), body))) {
                body.close();
            }
            return;
        }
        long cap = ok ? ex.maxBody() : Math.min(ex.maxBody(), ERROR_BODY_CAP);
        String length = resp.getHeader("Content-Length");
        if (ok && length != null) {
            try {
                if (Long.parseLong(length.strip()) > cap) {
                    out.completeExceptionally(tooLarge(ex));
                    reset(req);
                    return;
                }
            } catch (NumberFormatException e) {
                // no usable length: the streaming count below still applies
            }
        }
        Buffer body = Buffer.buffer();
        resp.handler(chunk -> {
            if (out.isDone()) {
                return;
            }
            if ((long) body.length() + chunk.length() > cap) {
                if (ok) {
                    out.completeExceptionally(tooLarge(ex));
                } else {
                    out.complete(new Reply(resp.statusCode(), resp.headers(), body.getBytes(), ex.uri()));
                }
                reset(req);
                return;
            }
            body.appendBuffer(chunk);
        });
        resp.endHandler(v -> out.complete(new Reply(resp.statusCode(), resp.headers(), body.getBytes(), ex.uri())));
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
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
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
