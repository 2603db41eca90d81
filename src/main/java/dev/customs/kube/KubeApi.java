package dev.customs.kube;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.vertx.core.Vertx;

/**
 * Plain requests to the Kubernetes API through an HTTP client built from the fabric8 client's configuration (its
 * authentication, TLS and token refresh; {@link DirectHttpClient}), for what the typed client cannot do: lists in
 * {@code PartialObjectMetadataList} form, and bodies read with a byte limit so that no answer can take more memory than
 * the caller allows. Blocking; called from the audit's own thread only.
 */
public final class KubeApi {

    /** Asks for metadata only: {@code PartialObjectMetadataList} items carry no spec or status. */
    public static final String METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"
            + "application/json";
    public static final String JSON = "application/json";
    /** Longest one request may take; a list page of a busy API server can take seconds. */
    static final long TIMEOUT_SECONDS = 60;
    /** Error bodies (a Status) are read up to this size. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final Supplier<KubernetesClient> client;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private volatile HttpClient http;
    private volatile String base;

    /**
     * @param client the Kubernetes client, asked for on the first request only (the client is built lazily, and
     *        Customs without an audit never needs it); its configuration is this API's
     * @param vertx where the HTTP client runs ({@link DirectHttpClient}: fabric8's configuration, no copy of each
     *        chunk)
     */
    public KubeApi(Supplier<KubernetesClient> client, ObjectMapper mapper, Vertx vertx) {
        this.client = client;
        this.mapper = mapper;
        this.vertx = vertx;
    }

    private HttpClient http() {
        if (http == null) {
            synchronized (this) {
                if (http == null) {
                    KubernetesClient c = client.get();
                    String master = c.getMasterUrl().toString();
                    base = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
                    http = new DirectHttpClient.Factory(vertx).newBuilder(c.getConfiguration()).build();
                }
            }
        }
        return http;
    }

    /** A path with query parameters, encoded; null values are left out. */
    public static String path(String path, Map<String, String> query) {
        Map<String, String> q = new LinkedHashMap<>();
        query.forEach((k, v) -> {
            if (v != null) {
                q.put(k, v);
            }
        });
        if (q.isEmpty()) {
            return path;
        }
        return path + "?" + q.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /**
     * A response body read into a buffer that is reused from one request to the next, so paging through a large list
     * holds one page's bytes, once.
     */
    public static final class Body extends ByteArrayOutputStream {

        private final int max;

        /** A body of at most {@code max} bytes. */
        public Body(int max) {
            super(64 * 1024);
            this.max = max;
        }

        public int max() {
            return max;
        }

        /** The bytes read; valid up to {@link #size()}. */
        public byte[] array() {
            return buf;
        }

        /** Appends the chunk's remaining bytes straight into the buffer, with no copy in between. */
        synchronized void write(ByteBuffer chunk) {
            int n = chunk.remaining();
            if (count + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(count + n, (int) Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
            }
            chunk.get(buf, count, n);
            count += n;
        }
    }

    /**
     * GETs {@code path} into {@code into} (emptied first).
     *
     * @throws KubeApiException on a non-2xx answer, no answer, or a body over the buffer's maximum
     *         ({@link KubeApiException#TOO_LARGE})
     */
    public void get(String path, String accept, Body into) throws KubeApiException, InterruptedException {
        HttpRequest req = http().newHttpRequestBuilder().uri(base + path).header("Accept", accept)
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).build();
        into.reset();
        send(req, into);
    }

    /** Server-side apply of {@code object} at {@code path} as field manager {@code manager}, taking over conflicts. */
    public void apply(String path, JsonNode object, String manager) throws KubeApiException, InterruptedException {
        String body;
        try {
            body = mapper.writeValueAsString(object);
        } catch (IOException e) {
            throw new KubeApiException(0, "could not serialise the object: " + e.getMessage());
        }
        Map<String, String> query = new LinkedHashMap<>();
        query.put("fieldManager", manager);
        query.put("force", "true");
        HttpRequest req = http().newHttpRequestBuilder().uri(base + path(path, query))
                .method("PATCH", "application/apply-patch+yaml", body).header("Accept", JSON)
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).build();
        send(req, new Body(MAX_ERROR_BODY));
    }

    /** DELETEs {@code path}; an object that is already gone is not an error. */
    public void delete(String path) throws KubeApiException, InterruptedException {
        HttpRequest req = http().newHttpRequestBuilder().uri(base + path).delete(JSON, "").header("Accept", JSON)
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).build();
        try {
            send(req, new Body(MAX_ERROR_BODY));
        } catch (KubeApiException e) {
            if (e.code() != 404) {
                throw e;
            }
        }
    }

    /**
     * Sends the request and reads the answer into {@code into}, chunk by chunk as it arrives, cancelling it as soon as
     * it exceeds the buffer's maximum. (The client's {@code InputStream} bodies leave pooled connections unusable for
     * the next request, and whole-body types have no limit.)
     */
    private void send(HttpRequest req, Body into) throws KubeApiException, InterruptedException {
        Body error = new Body(MAX_ERROR_BODY);
        AtomicInteger status = new AtomicInteger();
        AtomicBoolean tooLarge = new AtomicBoolean();
        AsyncBody.Consumer<List<ByteBuffer>> consumer = (chunks, body) -> {
            Body target = HttpResponse.isSuccessful(status.get()) ? into : error;
            for (ByteBuffer chunk : chunks) {
                int n = chunk.remaining();
                if ((long) target.size() + n > target.max()) {
                    if (target == into) {
                        tooLarge.set(true);
                    }
                    body.cancel();
                    return;
                }
                // straight into the body: a page comes in chunks of a few kilobytes, and a copy of each was garbage
                // the size of every listing (1.8 GB an audit run at 150,000 pods)
                target.write(chunk);
            }
            body.consume();
        };
        try {
            HttpResponse<AsyncBody> res = http().consumeBytes(req, consumer)
                    .get(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
            status.set(res.code());
            // the consumer reads the status only once chunks arrive, after the headers
            res.body().consume();
            try {
                res.body().done().get(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.CancellationException e) {
                // cancelled by the consumer: the answer was too large
            }
            if (tooLarge.get()) {
                throw new KubeApiException(KubeApiException.TOO_LARGE,
                        "the answer is larger than " + into.max() + " bytes");
            }
            if (!res.isSuccessful()) {
                throw failure(res.code(), error.toByteArray());
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (tooLarge.get()) {
                throw new KubeApiException(KubeApiException.TOO_LARGE,
                        "the answer is larger than " + into.max() + " bytes");
            }
            throw new KubeApiException(0, "no answer from the API server: " + c.getClass().getSimpleName()
                    + (c.getMessage() == null ? "" : ": " + c.getMessage()));
        } catch (TimeoutException e) {
            throw new KubeApiException(0, "no answer from the API server within " + TIMEOUT_SECONDS + " s");
        }
    }

    /** The API server's Status message and, for an expired continuation, the token to go on with. */
    private KubeApiException failure(int code, byte[] body) {
        String message = "HTTP " + code;
        String token = null;
        try {
            JsonNode status = mapper.readTree(body);
            if (status != null && status.hasNonNull("message")) {
                message = message + ": " + status.get("message").asText();
            }
            if (status != null && status.at("/metadata/continue").isTextual()) {
                token = status.at("/metadata/continue").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not a Status; the code says enough
        }
        return new KubeApiException(code, message.length() > 500 ? message.substring(0, 500) : message,
                token == null || token.isEmpty() ? null : token);
    }
}
