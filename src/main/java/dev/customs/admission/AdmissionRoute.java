package dev.customs.admission;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.customs.config.CustomsConfig;
import dev.customs.report.Recorder;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /validate}: the admission endpoint the kube-apiserver calls, on Vert.x directly, so that reading a body
 * costs only what this class allows. Answers 200 with an AdmissionReview; 400 with a plain-text explanation for input
 * that is not a usable AdmissionReview; 429 when the reviews in flight would pass {@code customs.admission.max-bytes-
 * in-flight} ({@link ReviewBudget}); 408 when a body does not arrive within {@code customs.admission.body-timeout}; 500
 * (without a stack trace) only for a fault of Customs itself. On all but 200 the API server applies the webhook's
 * failurePolicy.
 *
 * <p>
 * A review is accounted for from the first byte of its body until its answer is written: by its
 * {@code Content-Length} up front (or chunk by chunk when it has none) while it arrives, then by the estimated cost of
 * its parsed form, paid for while the tree is built ({@link ReviewReader.Meter}): a review whose tree stops fitting is
 * refused where its parse stands, with the same 429 as a body that does not fit. A declared length over the API
 * server's 3 MiB limit is refused before a byte of the body is read. Whenever a request is refused before its body was
 * read to the end, the body is not read further: an HTTP/1.1 connection is closed after the answer, an HTTP/2 stream
 * reset.
 */
@Singleton
public class AdmissionRoute {

    private static final Logger LOG = Logger.getLogger(AdmissionRoute.class);

    /** How long a connection whose body missed its deadline is kept after the 408, its input dropped. */
    static final long CLOSE_GRACE_MS = 1000;

    /** What a body without a Content-Length reserves before its first chunk, and grows by. */
    static final int CHUNKED_RESERVE = 64 * 1024;

    private final AdmissionHandler handler;
    private final Recorder recorder;
    private final ReviewBudget budget;
    private final AdmissionLoad load;
    private final long bodyTimeoutMs;

    public AdmissionRoute(AdmissionHandler handler, Recorder recorder, CustomsConfig config,
            AdmissionLoad load) {
        this.handler = handler;
        this.load = load;
        this.recorder = recorder;
        this.budget = new ReviewBudget(config.admission().maxBytesInFlight().asLongValue());
        this.bodyTimeoutMs = Math.max(1, config.admission().bodyTimeout().toMillis());
    }

    void register(@Observes Router router) {
        // after Quarkus' own limits (max-body-size: 413 past 8 MiB, before a byte of the body is read)
        router.post("/validate").order(1000).handler(this::validate);
    }

    /** One request's share of the budget and its state; every path out returns the share exactly once. */
    private final class Exchange implements ReviewBudget.Share {
        final RoutingContext ctx;
        final HttpServerRequest request;
        final Context context;
        final AtomicBoolean finished = new AtomicBoolean();
        /** Set once the request no longer counts as in flight for {@link AdmissionLoad}. */
        final AtomicBoolean left = new AtomicBoolean();
        ReviewBudget.Charge charge = ReviewBudget.Charge.NONE;
        long reservedBody;
        long timer = -1;
        boolean bodyComplete;
        /** The body read so far, in {@code body[0, bodyLength)}; sized to the declared length when there is one. */
        byte[] body;
        int bodyLength;

        Exchange(RoutingContext ctx) {
            this.ctx = ctx;
            this.request = ctx.request();
            this.context = Vertx.currentContext();
        }

        @Override
        public ReviewBudget.Charge charge() {
            return charge;
        }

        @Override
        public void charge(ReviewBudget.Charge c) {
            charge = c;
        }

        boolean reserveBody(long bytes) {
            ReviewBudget.Charge c = budget.body(bytes, charge);
            if (c == null) {
                return false;
            }
            charge = c;
            reservedBody += bytes;
            return true;
        }

        void release() {
            if (left.compareAndSet(false, true)) {
                load.left();
            }
            ReviewBudget.Charge c = charge;
            charge = ReviewBudget.Charge.NONE;
            if (c.bytes() != 0) {
                budget.release(c);
            }
        }
    }

    private void validate(RoutingContext ctx) {
        load.entered();
        Exchange ex = new Exchange(ctx);
        HttpServerRequest request = ctx.request();
        ConnectionReads.bound(request.connection());
        ctx.addEndHandler(v -> finish(ex));
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                declared = -2;
            }
            if (declared < 0) {
                refuse(ex, 400, "the Content-Length header is not a number", "bad-request");
                return;
            }
        }
        if (declared > AdmissionRequest.MAX_BODY) {
            refuse(ex, 400, AdmissionRequest.tooLarge(declared), "too-large");
            return;
        }
        if (!ex.reserveBody(declared >= 0 ? declared : CHUNKED_RESERVE)) {
            refuse(ex, 429, busy(), "busy");
            return;
        }
        ex.body = new byte[(int) Math.max(0, Math.min(declared, AdmissionRequest.MAX_BODY))];
        ex.timer = ctx.vertx().setTimer(bodyTimeoutMs, id -> {
            ex.timer = -1;
            if (!ex.bodyComplete) {
                refuse(ex, 408, "the request body did not arrive within " + bodyTimeoutMs + " ms", "timeout");
            }
        });
        request.handler(chunk -> {
            if (ex.finished.get() || ex.bodyComplete) {
                return;
            }
            long size = (long) ex.bodyLength + chunk.length();
            if (size > AdmissionRequest.MAX_BODY) {
                refuse(ex, 400, AdmissionRequest.tooLarge(size), "too-large");
                return;
            }
            if (size > ex.reservedBody && !ex.reserveBody(Math.max(CHUNKED_RESERVE, size - ex.reservedBody))) {
                refuse(ex, 429, busy(), "busy");
                return;
            }
            if (size > ex.body.length) {
                // no declared length, or more than it declared: grow by half again, within the body limit
                ex.body = Arrays.copyOf(ex.body,
                        (int) Math.min(AdmissionRequest.MAX_BODY, Math.max(size, ex.body.length + (ex.body.length >> 1))));
            }
            chunk.getBytes(0, chunk.length(), ex.body, ex.bodyLength);
            ex.bodyLength = (int) size;
        });
        request.exceptionHandler(e -> {
            LOG.debugf(e, "admission request failed while its body was read: %s", e.toString());
            finish(ex);
        });
        request.endHandler(v -> {
            if (ex.finished.get()) {
                return;
            }
            ex.bodyComplete = true;
            cancelTimer(ex);
            evaluate(ex);
        });
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            ctx.response().writeContinue();
        }
        request.resume();
    }

    private String busy() {
        return "Customs is busy: the AdmissionReviews it is reading and evaluating take an estimated "
                + mib(budget.used()) + " of the " + mib(budget.max()) + " it holds at once "
                + "(customs.admission.max-bytes-in-flight); retry";
    }

    /**
     * Evaluates the body, its parsed form charged while it is built; answers 429 when the charge stops fitting before
     * the tree is complete.
     */
    private void evaluate(Exchange ex) {
        // the array itself when the body filled it (it had a Content-Length, as the API server sends): no second copy
        byte[] body = ex.bodyLength == ex.body.length ? ex.body : Arrays.copyOf(ex.body, ex.bodyLength);
        ex.body = null;
        CompletionStage<AdmissionHandler.Outcome> review;
        try {
            review = handler.review(body, budget.meter(body.length, ex));
        } catch (ReviewBudget.Exhausted e) {
            refuse(ex, 429, busy(), "busy");
            return;
        } catch (RuntimeException e) {
            review = CompletableFuture.failedFuture(e);
        }
        review.whenComplete((outcome, failure) -> ex.context.runOnContext(v -> {
            if (ex.finished.get()) {
                return;
            }
            HttpServerResponse response = ex.ctx.response();
            if (failure != null) {
                LOG.errorf("admission review failed: %s", failure.toString());
                LOG.debug("admission review failure", failure);
                plain(response, 500, "Customs could not evaluate the request: internal error");
                return;
            }
            if (!outcome.ok()) {
                plain(response, 400, outcome.badRequest());
                return;
            }
            response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(Buffer.buffer(Unpooled.wrappedBuffer(outcome.answer()))); // the answer's bytes, not a copy
        }));
    }

    /**
     * Answers before the body was read to its end, and keeps none of it. The rest of the body is read and dropped
     * until it ends or the body deadline passes, so a client that is still sending reads the answer instead of a
     * reset; then an HTTP/1.1 connection is closed (what is left of its stream is unknown), an HTTP/2 stream reset.
     */
    private void refuse(Exchange ex, int status, String why, String reason) {
        if (!ex.finished.compareAndSet(false, true)) {
            return;
        }
        ex.release();
        ex.body = null;
        recorder.admissionRefused(reason);
        LOG.debugf("admission request refused: status=%d reason=%s", status, reason);
        HttpServerRequest request = ex.request;
        HttpServerResponse response = ex.ctx.response();
        boolean http1 = request.version() != HttpVersion.HTTP_2;
        Runnable close = () -> {
            cancelTimer(ex);
            if (http1) {
                request.connection().close();
            } else {
                response.reset(0); // NO_ERROR: the answer is complete, the request is not wanted
            }
        };
        if (!ex.bodyComplete) {
            request.handler(chunk -> {
            });
            request.endHandler(v -> {
                ex.bodyComplete = true;
                if (response.ended()) {
                    close.run();
                }
            });
            if (ex.timer < 0) {
                // a refused body may still arrive until its deadline; one past its deadline gets a moment to read
                // the answer before the connection goes, so that its client sees the 408 rather than a reset
                ex.timer = ex.ctx.vertx().setTimer(status == 408 ? CLOSE_GRACE_MS : bodyTimeoutMs, id -> {
                    ex.timer = -1;
                    close.run();
                });
            }
            request.resume();
        }
        if (response.ended() || response.closed()) {
            return;
        }
        if (http1) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        if (status == 429) {
            response.putHeader(HttpHeaders.RETRY_AFTER, "1");
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(why + "\n").onComplete(done -> {
                    if (ex.bodyComplete) {
                        close.run();
                    }
                });
    }

    private static void plain(HttpServerResponse response, int status, String text) {
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(text + "\n");
    }

    /** The response is written or the connection is gone: the body's share goes back. */
    private void finish(Exchange ex) {
        if (ex.finished.compareAndSet(false, true)) {
            cancelTimer(ex);
        }
        ex.release();
        ex.body = null;
    }

    private void cancelTimer(Exchange ex) {
        if (ex.timer >= 0) {
            ex.ctx.vertx().cancelTimer(ex.timer);
            ex.timer = -1;
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
