package dev.customs.image.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.customs.config.CustomsConfig;
import dev.customs.policy.OnError;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The {@link WarmUpImage} served as a registry serves it, over plain HTTP on a loopback port that only the start-up
 * warm-up knows, for as long as the warm-up runs ({@link RegistryImageInspector#warmUp}). Any repository holds the
 * image: any tag names its index, and its manifests and blobs are found by digest, with the headers a registry sends
 * ({@code Content-Type}, {@code Docker-Content-Digest}). Anything else is a registry's 404.
 */
final class WarmUpRegistry implements AutoCloseable {

    private final HttpServer server;

    private WarmUpRegistry(HttpServer server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1 on a port the system picks; fails when that takes longer than {@code timeout}. */
    static WarmUpRegistry start(Vertx vertx, WarmUpImage image, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> serve(image, request));
        return new WarmUpRegistry(server.listen().toCompletionStage().toCompletableFuture().get(timeout.toMillis(),
                TimeUnit.MILLISECONDS));
    }

    /** {@code 127.0.0.1:<port>}. */
    String authority() {
        return "127.0.0.1:" + server.actualPort();
    }

    private static void serve(WarmUpImage image, HttpServerRequest request) {
        String path = request.path();
        boolean get = request.method() == HttpMethod.GET;
        if (!get && request.method() != HttpMethod.HEAD || path == null || !path.startsWith("/v2/")) {
            notFound(request);
            return;
        }
        int manifests = path.lastIndexOf("/manifests/");
        int blobs = path.lastIndexOf("/blobs/");
        String digest;
        String type;
        if (manifests > 0) {
            String ref = path.substring(manifests + "/manifests/".length());
            digest = ref.startsWith("sha256:") ? ref : image.indexDigest();
            type = digest.equals(image.indexDigest()) ? RegistryClient.OCI_INDEX : RegistryClient.OCI_MANIFEST;
            if (!image.manifests().containsKey(digest)) {
                notFound(request);
                return;
            }
        } else if (blobs > 0) {
            digest = path.substring(blobs + "/blobs/".length());
            type = "application/octet-stream";
            if (!image.blobs().containsKey(digest)) {
                notFound(request);
                return;
            }
        } else {
            notFound(request);
            return;
        }
        byte[] body = image.body(digest);
        request.response().putHeader("Content-Type", type).putHeader("Docker-Content-Digest", digest)
                .putHeader("Content-Length", Integer.toString(body.length));
        if (get) {
            request.response().end(Buffer.buffer(body));
        } else {
            request.response().end();
        }
    }

    private static void notFound(HttpServerRequest request) {
        request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                .end("{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"not served by the warm-up registry\"}]}");
    }

    @Override
    public void close() {
        server.close();
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
