package dev.customs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.customs.image.registry.TestCerts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/** The bench's review socket against a real Vert.x HTTPS server, as Customs answers. */
class ReviewSocketTest {

    @TempDir
    static Path dir;
    static Vertx vertx;
    static HttpServer server;
    static HttpServer plain;
    static SSLContext tls;
    static final Set<Object> connections = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        X509Certificate ca = TestCerts.writeServerFiles(dir);
        tls = TestCerts.trusting(ca);
        vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve("tls.crt").toString())
                        .setKeyPath(dir.resolve("tls.key").toString()));
        server = vertx.createHttpServer(options).requestHandler(req -> {
            connections.add(req.connection());
            req.body().onSuccess(body -> {
                switch (req.path()) {
                    case "/validate" -> req.response().putHeader("Content-Type", "application/json")
                            .end(Buffer.buffer("{\"echo\":").appendBuffer(body).appendString("}"));
                    case "/refused" -> req.response().setStatusCode(400).end("the body is not an AdmissionReview");
                    default -> req.response().setChunked(true).end("chunked");
                }
            });
        }).listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        startPlain();
    }

    private static void startPlain() throws Exception {
        plain = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(req -> {
            connections.add(req.connection());
            if (req.path().startsWith("/v2/")) {
                req.response().end(Buffer.buffer(new byte[1536]));
            } else {
                req.response().setStatusCode(404).end("not a registry path: " + req.path());
            }
        }).listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.actualPort() + path);
    }

    @Test
    void sendsReviewsOnOneKeptAliveConnectionAndReadsEachAnswerWhole() throws Exception {
        connections.clear();
        try (ReviewSocket socket = new ReviewSocket(tls, uri("/validate"))) {
            for (int i = 0; i < 3; i++) {
                // a body larger than the buffers, so the answer arrives in several reads
                String big = "\"" + "x".repeat(200_000 + i) + "\"";
                byte[] answer = socket.post(big.getBytes(StandardCharsets.UTF_8));
                assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("{\"echo\":" + big + "}");
            }
        }
        assertThat(connections).hasSize(1);
    }

    @Test
    void getsOverPlainHttpOnOneConnection() throws Exception {
        connections.clear();
        try (ReviewSocket socket = new ReviewSocket(URI.create("http://127.0.0.1:" + plain.actualPort()))) {
            for (int i = 0; i < 3; i++) {
                assertThat(socket.get("/v2/bench-proxy/blobs/sha256:0")).hasSize(1536).containsOnly(0);
            }
            assertThatThrownBy(() -> socket.get("/elsewhere")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("404").hasMessageContaining("not a registry path: /elsewhere");
        }
        assertThat(connections).hasSize(1);
    }

    @Test
    void anAnswerOtherThan200IsAnErrorThatShowsItsBody() throws Exception {
        try (ReviewSocket socket = new ReviewSocket(tls, uri("/refused"))) {
            assertThatThrownBy(() -> socket.post("{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("400")
                    .hasMessageContaining("the body is not an AdmissionReview");
        }
    }

    @Test
    void aChunkedAnswerIsRefusedNotMisread() throws Exception {
        try (ReviewSocket socket = new ReviewSocket(tls, uri("/chunked"))) {
            assertThatThrownBy(() -> socket.post("{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IOException.class).hasMessageContaining("chunked");
        }
    }

    @Test
    void theServersCertificateIsChecked() throws Exception {
        SSLContext trustsOther = TestCerts.trusting(TestCerts.writeServerFiles(dir.resolve("other")));
        assertThatThrownBy(() -> new ReviewSocket(trustsOther, uri("/validate")).close())
                .isInstanceOf(SSLHandshakeException.class);
    }
}
