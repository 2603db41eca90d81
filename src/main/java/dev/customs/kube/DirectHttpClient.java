package dev.customs.kube;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.StandardHttpClient;
import io.fabric8.kubernetes.client.http.StandardHttpClientBuilder;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.fabric8.kubernetes.client.http.StandardWebSocketBuilder;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketResponse;
import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.spi.tls.SslContextFactory;

/**
 * The audit's HTTP client to the API server: fabric8's configuration of it (TLS from the kubeconfig or service
 * account, credentials and their refresh, impersonation, proxy: everything {@code HttpClient.Factory.newBuilder(Config)}
 * applies) over a Vert.x HTTP/1.1 client, with each chunk of an answer handed on as it arrived instead of copied.
 *
 * <p>
 * Why not fabric8's own Vert.x client: it copies every chunk into a new array before handing it on, on top of the heap
 * copy Vert.x already makes of what Netty decoded. The audit lists every pod's metadata and every workload on each run
 * (1.8 GB at Kubernetes' scalability limit), so that second copy was 1.8 GB of garbage a run: young collections, each
 * of which pauses admission. The buffer handed on here is Vert.x's own heap copy, which no pool takes back, so a
 * consumer may keep it. WebSockets are not offered: the audit does not watch.
 */
final class DirectHttpClient
        extends StandardHttpClient<DirectHttpClient, DirectHttpClient.Factory, DirectHttpClient.Builder> {

    /** Connections to the API server at most: the audit makes one request at a time, and reports one more. */
    static final int MAX_CONNECTIONS = 4;

    private final io.vertx.core.http.HttpClient http;
    private final Context context;
    private final boolean followRedirects;

    private DirectHttpClient(Builder builder, AtomicBoolean closed, io.vertx.core.http.HttpClient http,
            Context context) {
        super(builder, closed);
        this.http = http;
        this.context = context;
        this.followRedirects = builder.isFollowRedirects();
    }

    /** Makes builders of clients on the given Vert.x instance. */
    static final class Factory implements io.fabric8.kubernetes.client.http.HttpClient.Factory {
        private final Vertx vertx;

        Factory(Vertx vertx) {
            this.vertx = vertx;
        }

        @Override
        public Builder newBuilder() {
            return new Builder(this);
        }
    }

    /** fabric8's builder, building a Vert.x client from what fabric8 configured on it. */
    static final class Builder extends StandardHttpClientBuilder<DirectHttpClient, Factory, Builder> {

        Builder(Factory factory) {
            super(factory);
        }

        @Override
        protected Builder newInstance(Factory factory) {
            return new Builder(factory);
        }

        @Override
        public DirectHttpClient build() {
            if (client != null) {
                // derived from a built client (other interceptors or tags): the same connections
                return new DirectHttpClient(this, client.getClosed(), client.http, client.context);
            }
            HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
                    .setMaxPoolSize(MAX_CONNECTIONS).setKeepAlive(true);
            if (connectTimeout != null) {
                options.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            }
            if (tlsVersions != null && tlsVersions.length > 0) {
                options.setEnabledSecureTransportProtocols(
                        Arrays.stream(tlsVersions).map(TlsVersion::javaName).collect(Collectors.toSet()));
            }
            if (proxyAddress != null && proxyType != null && proxyType != ProxyType.DIRECT) {
                // (inside a fabric8 builder, the simple name is fabric8's ProxyType)
                io.vertx.core.net.ProxyType type = io.vertx.core.net.ProxyType.HTTP;
                if (proxyType == ProxyType.SOCKS4) {
                    type = io.vertx.core.net.ProxyType.SOCKS4;
                } else if (proxyType == ProxyType.SOCKS5) {
                    type = io.vertx.core.net.ProxyType.SOCKS5;
                }
                ProxyOptions proxy = new ProxyOptions().setHost(proxyAddress.getHostString())
                        .setPort(proxyAddress.getPort()).setType(type);
                if (proxyAuthorization != null) {
                    String[] user = HttpClientUtils.decodeBasicCredentials(proxyAuthorization);
                    if (user != null) {
                        proxy.setUsername(user[0]).setPassword(user[1]);
                    }
                }
                options.setProxyOptions(proxy);
            }
            if (sslContext != null) {
                // TLS set up with the client (an http:// request still goes in the clear)
                options.setSsl(true).setSslEngineOptions(new ContextEngine(sslContext));
            }
            // One event loop for every request and answer of this client: its connections belong to that loop, so an
            // answer's head reaches the handler on the thread that then reads its body, before any of it (from another
            // thread's context, Vert.x hands the head over as a task, and a short answer can have ended meanwhile).
            Context context = ((VertxInternal) clientFactory.vertx).createEventLoopContext();
            return new DirectHttpClient(this, new AtomicBoolean(), clientFactory.vertx.createHttpClient(options),
                    context);
        }
    }

    /** TLS with the SSLContext fabric8 made from the configuration (its trust and, for client certificates, keys). */
    private static final class ContextEngine extends JdkSSLEngineOptions {
        private final SSLContext context;

        ContextEngine(SSLContext context) {
            this.context = context;
        }

        @Override
        public JdkSSLEngineOptions copy() {
            return new ContextEngine(context); // Vert.x copies its options; a plain copy would drop the context
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return () -> new JdkSslContext(context, true, null, IdentityCipherSuiteFilter.INSTANCE,
                    ApplicationProtocolConfig.DISABLED, ClientAuth.NONE, null, false);
        }
    }

    @Override
    public CompletableFuture<WebSocketResponse> buildWebSocketDirect(StandardWebSocketBuilder builder,
            WebSocket.Listener listener) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException("the audit's API client does not open WebSockets"));
    }

    @Override
    public CompletableFuture<HttpResponse<AsyncBody>> consumeBytesDirect(StandardHttpRequest request,
            AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        Buffer content;
        try {
            content = content(request.body());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        RequestOptions options = new RequestOptions().setAbsoluteURI(request.uri().toString())
                .setMethod(HttpMethod.valueOf(request.method())).setFollowRedirects(followRedirects);
        request.headers().forEach((name, values) -> values.forEach(v -> options.addHeader(name, v)));
        if (request.getContentType() != null) {
            options.putHeader("Content-Type", request.getContentType());
        }
        if (request.getTimeout() != null && !request.getTimeout().isZero()) {
            // no byte for this long ends the request, as fabric8's clients do
            options.setIdleTimeout(request.getTimeout().toMillis());
        }
        CompletableFuture<HttpResponse<AsyncBody>> answer = new CompletableFuture<>();
        context.runOnContext(go -> {
            Future<HttpClientRequest> sent;
            try {
                sent = http.request(options);
            } catch (IllegalStateException closed) {
                // closed meanwhile (Customs is stopping): the request fails, rather than throwing on the event loop
                // (an uncaught error in the log) and leaving its caller waiting for an answer that never comes
                answer.completeExceptionally(new IOException("the Kubernetes API client is closed", closed));
                return;
            }
            sent.compose(r -> content == null ? r.send() : r.send(content))
                    .onComplete(ar -> answered(request, consumer, ar, answer));
        });
        return answer;
    }

    /** On the client's event loop, as the answer's head arrives: the body is held until the consumer asks. */
    private void answered(StandardHttpRequest request, AsyncBody.Consumer<List<ByteBuffer>> consumer,
            AsyncResult<HttpClientResponse> ar, CompletableFuture<HttpResponse<AsyncBody>> answer) {
        if (ar.failed()) {
            answer.completeExceptionally(ar.cause());
            return;
        }
        HttpClientResponse res = ar.result();
        res.pause(); // nothing is read until the consumer asks
        Body body = new Body(res, context);
        res.handler(chunk -> body.deliver(chunk, consumer));
        res.exceptionHandler(body.done::completeExceptionally);
        res.endHandler(v -> body.done.complete(null));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        res.headers().forEach(e -> headers.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        if (!answer.complete(new Response(request, res.statusCode(), headers, body))) {
            body.cancel(); // the caller gave up meanwhile
        }
    }

    /** The request's body as a Vert.x buffer; the API server's requests carry strings or bytes, never streams. */
    private static Buffer content(StandardHttpRequest.BodyContent body) {
        if (body == null) {
            return null;
        }
        if (body instanceof StandardHttpRequest.StringBodyContent s) {
            return Buffer.buffer(s.getContent());
        }
        if (body instanceof StandardHttpRequest.ByteArrayBodyContent b) {
            return Buffer.buffer(b.getContent());
        }
        throw new IllegalArgumentException(
                "the audit's API client sends string or byte bodies only, not " + body.getClass().getSimpleName());
    }

    /**
     * An answer's body, read a chunk at a time as the consumer asks. The response's stream belongs to its connection's
     * event loop: asking for more or giving up is done there, whichever thread asks (and a consumer asking from within
     * a chunk's delivery gets the next one after it returns, not nested in it).
     */
    private static final class Body implements AsyncBody {
        private final HttpClientResponse res;
        private final Context context;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Body(HttpClientResponse res, Context context) {
            this.res = res;
            this.context = context;
        }

        void deliver(Buffer chunk, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
            if (done.isDone()) {
                return;
            }
            try {
                // Vert.x's own heap copy of the decoded bytes, not pooled: handed on as it is
                consumer.consume(List.of(chunk.getByteBuf().nioBuffer()), this);
            } catch (Exception e) {
                done.completeExceptionally(e);
                res.request().reset(0, e); // on the event loop already
            }
        }

        @Override
        public void consume() {
            context.runOnContext(v -> {
                if (!done.isDone()) {
                    res.fetch(1);
                }
            });
        }

        @Override
        public CompletableFuture<Void> done() {
            return done;
        }

        @Override
        public void cancel() {
            if (done.cancel(false)) {
                // the connection is closed, not returned to the pool half read
                context.runOnContext(v -> res.request().reset());
            }
        }
    }

    /** Status, headers and body of one answer. */
    private record Response(HttpRequest request, int code, Map<String, List<String>> headers, AsyncBody body)
            implements
                HttpResponse<AsyncBody> {

        @Override
        public List<String> headers(String key) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(key)) {
                    return e.getValue();
                }
            }
            return List.of();
        }

        @Override
        public Optional<HttpResponse<?>> previousResponse() {
            return Optional.empty();
        }
    }

    @Override
    protected void doClose() {
        http.close();
    }
}
