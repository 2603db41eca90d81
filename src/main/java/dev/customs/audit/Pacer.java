package dev.customs.audit;

import java.util.function.LongSupplier;

/**
 * Spaces out the audit's work: at most {@code perSecond} permits a second, with a burst of a tenth of a second's
 * worth, so a large cluster is audited at a steady pace instead of in bursts that compete with admission for the CPU
 * and the registry. A rate of 0 or less is unlimited.
 */
final class Pacer {

    /** How the pacer waits; tests pass one that only advances a clock. */
    @FunctionalInterface
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    static final Sleeper THREAD_SLEEP = nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));

    private final long interval;
    private final long burst;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long next;

    Pacer(double perSecond, LongSupplier nanoTime, Sleeper sleeper) {
        this.interval = perSecond <= 0 ? 0 : (long) (1_000_000_000d / perSecond);
        this.burst = Math.max(interval, 100_000_000L);
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.next = nanoTime.getAsLong();
    }

    /** Waits for one permit. */
    void acquire() throws InterruptedException {
        if (interval == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        next = Math.max(next, now - burst) + interval;
        if (next > now) {
            sleeper.sleepNanos(next - now);
        }
    }
}
