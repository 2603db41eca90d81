package dev.customs.image.layers;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket shared by every layer scan: at most {@code bytesPerSecond} of compressed layer bytes are read per
 * second in total, with bursts of up to one second's worth, so background scans cannot take the process's CPU or
 * network from admission.
 */
final class Throttle {

    private final long bytesPerSecond;
    private long nextFree = System.nanoTime();

    Throttle(long bytesPerSecond) {
        this.bytesPerSecond = Math.max(1, bytesPerSecond);
    }

    void acquire(long bytes) throws InterruptedIOException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            nextFree = Math.max(nextFree, now - 1_000_000_000L);
            nextFree += (long) (bytes * (1_000_000_000.0 / bytesPerSecond));
            wait = nextFree - now;
        }
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("layer scan interrupted");
            }
        }
    }

    /** {@code in}, read at the throttle's pace, counting into {@code bytes}. */
    InputStream wrap(InputStream in, AtomicLong bytes) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytes.incrementAndGet();
                    acquire(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytes.addAndGet(n);
                    acquire(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                byte[] buf = new byte[(int) Math.min(n, 8192)];
                int r = read(buf, 0, buf.length);
                return Math.max(r, 0);
            }
        };
    }
}
