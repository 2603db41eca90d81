package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;
import io.vertx.core.Vertx;

/**
 * The registry the start-up warm-up resolves its built-in image from ({@link WarmUpRegistry}), and the warm-up of a
 * miss's HTTP exchanges ({@link RegistryImageInspector#warmUpExchanges}) against it: every round resolves the image,
 * through the operator's own blocked networks, and nothing is counted in the metrics.
 */
class WarmUpRegistryTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final WarmUpImage IMAGE = WarmUpImage.make(MAPPER);

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<byte[]> send(String method, String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesTheImageAsARegistryServesIt() throws Exception {
        try (WarmUpRegistry registry = WarmUpRegistry.start(IMAGE, Duration.ofSeconds(10))) {
            String base = "http://" + registry.authority() + "/v2/warm-up/7";
            assertThat(registry.authority()).startsWith("127.0.0.1:");

            // any tag names the index, with the headers a registry sends
            HttpResponse<byte[]> index = send("GET", base + "/manifests/1.0");
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.headers().firstValue("Content-Type")).hasValue(RegistryClient.OCI_INDEX);
            assertThat(index.headers().firstValue("Docker-Content-Digest")).hasValue(IMAGE.indexDigest());
            assertThat(Digests.sha256(index.body())).isEqualTo(IMAGE.indexDigest());

            // every manifest and blob by its digest
            for (Map.Entry<String, byte[]> m : IMAGE.manifests().entrySet()) {
                HttpResponse<byte[]> r = send("GET", base + "/manifests/" + m.getKey());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type")).hasValue(m.getKey().equals(IMAGE.indexDigest())
                        ? RegistryClient.OCI_INDEX
                        : RegistryClient.OCI_MANIFEST);
                assertThat(r.body()).isEqualTo(m.getValue());
            }
            for (Map.Entry<String, byte[]> b : IMAGE.blobs().entrySet()) {
                HttpResponse<byte[]> r = send("GET", base + "/blobs/" + b.getKey());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(b.getKey());
                assertThat(r.body()).isEqualTo(b.getValue());
            }

            // a HEAD of the tag: the headers, no body
            HttpResponse<byte[]> head = send("HEAD", base + "/manifests/latest");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(IMAGE.indexDigest());
            assertThat(head.body()).isEmpty();

            // nothing else
            String unknown = "sha256:" + "0".repeat(64);
            assertThat(send("GET", base + "/manifests/" + unknown).statusCode()).isEqualTo(404);
            assertThat(send("GET", base + "/blobs/" + unknown).statusCode()).isEqualTo(404);
            assertThat(send("GET", base + "/blobs/" + IMAGE.indexDigest()).statusCode()).isEqualTo(404);
            assertThat(send("DELETE", base + "/manifests/1.0").statusCode()).isEqualTo(404);
            assertThat(send("GET", "http://" + registry.authority() + "/").statusCode()).isEqualTo(404);
            assertThat(send("GET", "http://" + registry.authority() + "/v2/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void closedItClosesTheOpenConnections() throws Exception {
        WarmUpRegistry registry = WarmUpRegistry.start(IMAGE, Duration.ofSeconds(10));
        int port = Integer.parseInt(registry.authority().substring("127.0.0.1:".length()));
        try (Socket open = new Socket("127.0.0.1", port)) {
            open.setSoTimeout(10_000);
            open.getOutputStream().write(("GET /v2/warm-up/0/manifests/1.0 HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(open.getInputStream().readNBytes(15), StandardCharsets.ISO_8859_1))
                    .isEqualTo("HTTP/1.1 200 OK");

            registry.close();

            // the kept-alive connection is closed: the rest of the answer, then the end of the stream
            InputStream in = open.getInputStream();
            in.readNBytes(64 * 1024);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aRequestItCannotReadClosesTheConnection() throws Exception {
        try (WarmUpRegistry registry = WarmUpRegistry.start(IMAGE, Duration.ofSeconds(10));
                Socket s = new Socket("127.0.0.1", Integer.parseInt(registry.authority().substring(10)))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /v2/warm-up/0/manifests/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void answersRequestsSplitAcrossWritesAndSentTogether() throws Exception {
        try (WarmUpRegistry registry = WarmUpRegistry.start(IMAGE, Duration.ofSeconds(10));
                Socket s = new Socket("127.0.0.1", Integer.parseInt(registry.authority().substring(10)))) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /v2/a/manifests/1.0 HT".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(100);
            out.write(("TP/1.1\r\nHost: x\r\n\r\nHEAD /v2/a/manifests/2.0 HTTP/1.1\r\n\r\nGET /v2/a/blobs/nothing "
                    + "HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.shutdownOutput();
            String answers = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            byte[] index = IMAGE.manifests().get(IMAGE.indexDigest());
            assertThat(answers).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: " + index.length + "\r\n")
                    .contains(new String(index, StandardCharsets.ISO_8859_1) + "HTTP/1.1 200 OK\r\n");
            // the HEAD has no body: the 404 follows its blank line directly
            assertThat(answers.split("HTTP/1.1 ", -1)).hasSize(4);
            assertThat(answers).contains("\r\n\r\nHTTP/1.1 404 Not Found\r\n").endsWith("}");
        }
    }

    @Test
    void customsOwnInspectorStillRefusesTheLoopbackRegistry() throws Exception {
        // the exemption of the warm-up registry belongs to the warm-up's inspector alone
        try (WarmUpRegistry registry = WarmUpRegistry.start(IMAGE, Duration.ofSeconds(10));
                RegistryImageInspector inspector = inspector(new TestRegistryConfig(), new CountingRecorder())) {
            ImageFacts facts = inspector.inspect(ImageReference.parse(registry.authority() + "/warm-up/0:1.0"), null)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(facts).isInstanceOfSatisfying(ImageFacts.Unavailable.class, u -> assertThat(u.reason())
                    .contains("blocked network 127.0.0.0/8"));
        }
    }

    private RegistryImageInspector inspector(TestRegistryConfig config, CountingRecorder recorder) {
        return new RegistryImageInspector(config, vertx, MAPPER, () -> {
            throw new IllegalStateException("no Kubernetes in this test");
        }, recorder, new MutableClock(), host -> {
            throw new UnknownHostException(host);
        });
    }

    @Test
    void everyRoundResolvesTheImageOverHttpAndNothingIsCounted() {
        // the operator's configuration as shipped: loopback blocked, no insecure registry
        TestRegistryConfig config = new TestRegistryConfig();
        CountingRecorder recorder = new CountingRecorder();
        try (RegistryImageInspector inspector = inspector(config, recorder)) {
            assertThat(inspector.warmUpExchanges(IMAGE, 5)).isEqualTo(5);
        }
        assertThat(recorder.registryRequests).isEmpty();
        assertThat(recorder.resolutions).isEmpty();
    }

    @Test
    void aRoundThatTakesTooLongEndsTheWarmUp() {
        try (RegistryImageInspector inspector = inspector(new TestRegistryConfig(), new CountingRecorder())) {
            // no round resolves in no time; it is left to end before its connections are closed
            assertThat(inspector.warmUpExchanges(IMAGE, 5, Duration.ZERO)).isZero();
        }
    }

    @Test
    void aWarmUpWhoseExchangesFailEndsWithoutThrowing() throws Exception {
        TestRegistryConfig config = new TestRegistryConfig();
        CountingRecorder recorder = new CountingRecorder();
        try (RegistryImageInspector inspector = inspector(config, recorder)) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(inspector.warmUpExchanges(IMAGE, 5)).isZero();
        }
        assertThat(recorder.registryRequests).isEmpty();
    }
}
