package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.customs.report.Recorder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

/**
 * A registry (or a load balancer in front of one) that closes a keep-alive connection just as the client reuses it:
 * the request is sent once more on a new connection, once, so the image is not reported unverified for it. A real
 * registry cannot be made to close at that moment on demand, so a socket server plays it, byte for byte HTTP/1.1.
 */
class ReusedConnectionTest {

    private final Vertx vertx = Vertx.vertx();
    private ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    /** Whether a connection past its answered requests is held open, silent, instead of closed. */
    private volatile boolean hold;

    @AfterEach
    void close() throws Exception {
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * Serves on loopback; each connection answers its first {@code answered} requests with {@code 200 ok}, keeping the
     * connection open, and closes without a word when the next request arrives.
     */
    private URI serve(int answered) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> converse(s, answered), "test-closing-registry");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-closing-registry-accept");
        accept.setDaemon(true);
        accept.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/app/manifests/1.0");
    }

    private void converse(Socket s, int answered) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            for (int n = 0;; n++) {
                if (!readHead(in)) {
                    return;
                }
                requests.incrementAndGet();
                if (n >= answered) {
                    while (hold && in.read() >= 0) {
                        // silent until the client closes the connection
                    }
                    return; // closes the socket without an answer
                }
                out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Reads a request's head (no body: GET and HEAD); false at the end of the stream. */
    private static boolean readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        for (int b = in.read(); b >= 0; b = in.read()) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == end.length) {
                return true;
            }
        }
        return false;
    }

    private RegistryHttp http() {
        AddressGuard guard = new AddressGuard(List.of(), List.of(), HostResolver.SYSTEM, Runnable::run);
        return new RegistryHttp(vertx, null, guard, Runnable::run, Duration.ofSeconds(5), Recorder.NONE);
    }

    private static RegistryHttp.Exchange get(URI uri) {
        return new RegistryHttp.Exchange(HttpMethod.GET, uri, Map.of(), 1024, "manifest", uri.getAuthority(), false);
    }

    @Test
    void aGetWhoseKeptAliveConnectionClosesBeforeAnyAnswerIsSentAgainOnANewOne() throws Exception {
        URI uri = serve(1);
        RegistryHttp http = http();

        RegistryHttp.Reply first = http.send(get(uri)).get(10, TimeUnit.SECONDS);
        // the answer completes before the event loop hands its connection back to the pool: give it that moment, so
        // the second goes out on the first's kept-alive connection, which the server closes on reading it
        Thread.sleep(200);
        RegistryHttp.Reply second = http.send(get(uri)).get(10, TimeUnit.SECONDS);

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(new String(second.body(), StandardCharsets.US_ASCII)).isEqualTo("ok");
        assertThat(http.retries()).isEqualTo(1);
        assertThat(connections.get()).isEqualTo(2);
        assertThat(requests.get()).isEqualTo(3);
    }

    @Test
    void aServerThatClosesEveryConnectionGetsTheRequestTwiceAndTheFailureSaysWhatHappened() throws Exception {
        URI uri = serve(0);
        RegistryHttp http = http();

        assertThatThrownBy(() -> http.send(get(uri)).join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(RegistryFailure.class)
                .hasMessage("the connection to " + uri.getAuthority() + " failed (Connection was closed)");
        assertThat(http.retries()).isEqualTo(1);
        assertThat(requests.get()).isEqualTo(2);
    }

    /**
     * Customs stops while a request waits for its answer: closing the client closes its connection, and the request's
     * retry meets a closed client. The request fails at once, saying why; it used to throw out of Vert.x' callback
     * (logged as an uncaught error at every such shutdown) and wait for its deadline.
     */
    @Test
    void aRequestInFlightWhenTheClientClosesFailsAtOnceSayingCustomsIsStopping() throws Exception {
        hold = true;
        URI uri = serve(0);
        RegistryHttp http = http();

        CompletableFuture<RegistryHttp.Reply> pending = http.send(get(uri));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (requests.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(requests.get()).as("the request reached the server").isEqualTo(1);
        http.close();

        // well within the request's own 5 s deadline
        assertThatThrownBy(() -> pending.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RegistryFailure.class)
                .hasMessage("Customs is stopping: its connections to " + uri.getAuthority() + " are closed");
    }
}
