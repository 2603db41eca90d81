package dev.customs.image.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * A response body read as a blocking {@link InputStream} by a thread that is not an event loop, with back-pressure:
 * when more than {@link #HIGH_WATER} bytes wait unread, the response is paused, and resumed once the reader has taken
 * them below {@link #LOW_WATER}, so a slow reader never makes Customs buffer a large blob. A stall longer than the idle
 * timeout, a connection error or {@link #close()} before the end fail the read with an {@link IOException}; closing
 * early resets the request, so the registry stops sending.
 */
final class StreamingBody extends InputStream {

    static final int HIGH_WATER = 4 * 1024 * 1024;
    static final int LOW_WATER = 1024 * 1024;

    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private final HttpClientRequest request;
    private final HttpClientResponse response;
    private final Context context;
    private final long idleMillis;
    private final String what;
    private Buffer head;
    private int headPos;
    private long queued;
    private boolean paused;
    private boolean ended;
    private boolean closed;
    private IOException failure;

    /** Called on the response's event loop, before any chunk has been handled. */
    StreamingBody(HttpClientRequest request, HttpClientResponse response, Context context, long idleMillis,
            String what) {
        this.request = request;
        this.response = response;
        this.context = context;
        this.idleMillis = idleMillis;
        this.what = what;
        response.handler(this::chunk);
        response.endHandler(v -> end());
        response.exceptionHandler(this::fail);
    }

    private synchronized void chunk(Buffer b) {
        if (closed) {
            return;
        }
        chunks.add(b);
        queued += b.length();
        if (queued > HIGH_WATER && !paused) {
            paused = true;
            response.pause();
        }
        notifyAll();
    }

    private synchronized void end() {
        ended = true;
        notifyAll();
    }

    synchronized void fail(Throwable e) {
        if (failure == null && !ended) {
            failure = e instanceof IOException io ? io
                    : new IOException("reading the " + what + " failed: " + RegistryFailure.of(e).getMessage());
        }
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + idleMillis * 1_000_000L;
        while (head == null || headPos >= head.length()) {
            if (closed) {
                throw new IOException("the " + what + " stream is closed");
            }
            head = chunks.poll();
            headPos = 0;
            if (head != null) {
                continue;
            }
            if (failure != null) {
                throw failure;
            }
            if (ended) {
                return -1;
            }
            long wait = (deadline - System.nanoTime()) / 1_000_000L;
            if (wait <= 0) {
                closeQuietly();
                throw new IOException("the registry sent no data for " + idleMillis + " ms while streaming the " + what);
            }
            try {
                wait(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly();
                throw new InterruptedIOException("interrupted while streaming the " + what);
            }
        }
        int n = Math.min(len, head.length() - headPos);
        head.getBytes(headPos, headPos + n, b, off);
        headPos += n;
        queued -= n;
        if (paused && queued < LOW_WATER) {
            paused = false;
            context.runOnContext(v -> response.resume());
        }
        return n;
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        boolean reset;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            reset = !ended;
            chunks.clear();
            head = null;
            notifyAll();
        }
        if (reset) {
            context.runOnContext(v -> request.reset());
        }
    }
}
