package dev.customs.e2e;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a condition holds; an API server applies what it accepted a moment later (informers, controllers). */
final class Eventually {

    private Eventually() {
    }

    /** Waits until {@code condition} holds, or fails naming {@code what}. Exceptions count as "not yet". */
    static void until(Duration timeout, String what, BooleanSupplier condition) {
        get(timeout, what, () -> condition.getAsBoolean(), b -> b);
    }

    /** Polls {@code get} until {@code until} accepts its value, and returns that value. */
    static <T> T get(Duration timeout, String what, Supplier<T> get, Predicate<T> until) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        RuntimeException failure = null;
        while (true) {
            try {
                last = get.get();
                failure = null;
                if (until.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError e = new AssertionError(
                        "not reached within " + timeout.toSeconds() + " s: " + what + "; last value: " + last);
                if (failure != null) {
                    e.initCause(failure);
                }
                throw e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
