package dev.customs.audit;

import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Spaces out the audit's work: at most {@code perSecond} permits a second, with a burst of a tenth of a second's
 * worth, so a large cluster is audited at a steady pace instead of in bursts that compete with admission for the CPU
 * and the registry. A rate of 0 or less is unlimited.
 *
 * <p>
 * Before each permit the pacer also <b>yields to admission</b>: while {@code busy} holds (admission requests are in
 * flight) it waits, in slices of {@link #YIELD_SLICE_NANOS}, for at most {@code maxYieldNanos} per permit. The cap is
 * what keeps the audit going under a constant admission stream: it then advances one step per cap at least, instead
 * of never. A cap of 0 or less never yields. The waiting counts towards the rate, so a step that yielded longer than
 * its interval does not wait again for the rate.
 */
final class Pacer {

    /** How the pacer waits; tests pass one that only advances a clock. */
    @FunctionalInterface
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    static final Sleeper THREAD_SLEEP = nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));

    /**
     * How often a yielding pacer looks again whether admission is still busy: short against a review (a warm one takes
     * about a millisecond) so the audit resumes soon after admission goes quiet, long enough that looking costs nothing.
     */
    static final long YIELD_SLICE_NANOS = 1_000_000;

    private final long interval;
    private final long burst;
    private final BooleanSupplier busy;
    private final long maxYield;
    private final LongConsumer onYield;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long next;
    private long yielded;
    private long yields;

    Pacer(double perSecond, LongSupplier nanoTime, Sleeper sleeper) {
        this(perSecond, () -> false, 0, n -> {
        }, nanoTime, sleeper);
    }

    /**
     * @param busy whether admission is busy now
     * @param maxYieldNanos the longest one permit waits for admission to go quiet; 0 or less never waits for it
     * @param onYield told the nanoseconds of every wait for admission, when it ends
     */
    Pacer(double perSecond, BooleanSupplier busy, long maxYieldNanos, LongConsumer onYield, LongSupplier nanoTime,
            Sleeper sleeper) {
        this.interval = perSecond <= 0 ? 0 : (long) (1_000_000_000d / perSecond);
        this.burst = Math.max(interval, 100_000_000L);
        this.busy = busy;
        this.maxYield = Math.max(0, maxYieldNanos);
        this.onYield = onYield;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.next = nanoTime.getAsLong();
    }

    /** Waits for admission to go quiet (up to the cap), then for one permit of the rate. */
    void acquire() throws InterruptedException {
        yieldToAdmission();
        if (interval == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        next = Math.max(next, now - burst) + interval;
        if (next > now) {
            sleeper.sleepNanos(next - now);
        }
    }

    private void yieldToAdmission() throws InterruptedException {
        if (maxYield == 0 || !busy.getAsBoolean()) {
            return;
        }
        long start = nanoTime.getAsLong();
        long until = start + maxYield;
        yields++;
        try {
            long now = start;
            while (now - until < 0 && busy.getAsBoolean()) {
                sleeper.sleepNanos(Math.min(YIELD_SLICE_NANOS, until - now));
                now = nanoTime.getAsLong();
            }
        } finally {
            long waited = nanoTime.getAsLong() - start;
            yielded += waited;
            onYield.accept(waited);
        }
    }

    /** Nanoseconds spent waiting for admission so far. */
    long yieldedNanos() {
        return yielded;
    }

    /** Permits that found admission busy and waited for it so far. */
    long yields() {
        return yields;
    }
}
