package dev.customs.bench;

import java.nio.charset.StandardCharsets;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * The least an admission webhook can do: Vert.x over HTTPS with the bench's certificate, reading each request's body
 * to its end and answering a fixed allowed AdmissionReview, as small as the floor's. The bench loads it as it loads
 * Customs, so its latencies are those of the machine and the load generator with no review in them.
 *
 * <p>
 * Arguments: the port, the certificate and the key (PEM). Serves until killed.
 */
public final class EchoServer {

    private static final byte[] ANSWER = ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
            + "\"response\":{\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\",\"allowed\":true}}")
            .getBytes(StandardCharsets.UTF_8);

    private EchoServer() {
    }

    public static void main(String[] args) throws Exception {
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(Integer.parseInt(args[0]))
                .setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(args[1]).setKeyPath(args[2]));
        Vertx.vertx().createHttpServer(options)
                .requestHandler(req -> req.body().onSuccess(body -> req.response()
                        .putHeader("Content-Type", "application/json").end(Buffer.buffer(ANSWER))))
                .listen().toCompletionStage().toCompletableFuture().get();
        Thread.sleep(Long.MAX_VALUE);
    }
}
