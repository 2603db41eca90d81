package dev.customs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The pacer's rate and its yielding to admission, on a clock that only its sleeper advances: no real waiting. */
class PacerTest {

    private static final long MS = 1_000_000;

    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final List<Long> sleeps = new ArrayList<>();
    private final List<Long> yields = new ArrayList<>();
    /** Admission in flight until this time (the clock's nanoseconds); busy forever when Long.MAX_VALUE. */
    private final AtomicLong busyUntil = new AtomicLong();

    private final Pacer.Sleeper sleeper = nanos -> {
        assertThat(nanos).isPositive();
        sleeps.add(nanos);
        clock.addAndGet(nanos);
    };

    private Pacer pacer(double perSecond, long maxYieldNanos) {
        return new Pacer(perSecond, () -> clock.get() < busyUntil.get(), maxYieldNanos, yields::add, clock::get,
                sleeper);
    }

    @Test
    void quietAdmissionCostsNoWait() throws InterruptedException {
        Pacer p = pacer(0, 100 * MS);
        for (int i = 0; i < 1000; i++) {
            p.acquire();
        }
        assertThat(sleeps).isEmpty();
        assertThat(p.yieldedNanos()).isZero();
        assertThat(p.yields()).isZero();
        assertThat(yields).isEmpty();
    }

    @Test
    void waitsWhileAdmissionIsBusyAndGoesOnWhenItIsQuiet() throws InterruptedException {
        Pacer p = pacer(0, 100 * MS);
        long start = clock.get();
        busyUntil.set(start + 7 * MS + MS / 2);

        p.acquire();

        // it looks again every slice and goes on in the first slice after admission went quiet
        assertThat(clock.get() - start).isEqualTo(8 * MS);
        assertThat(sleeps).hasSize(8).allMatch(n -> n == Pacer.YIELD_SLICE_NANOS);
        assertThat(p.yieldedNanos()).isEqualTo(8 * MS);
        assertThat(p.yields()).isEqualTo(1);
        assertThat(yields).containsExactly(8 * MS);

        // admission is quiet now: the next permit does not wait at all
        sleeps.clear();
        p.acquire();
        assertThat(sleeps).isEmpty();
        assertThat(p.yields()).isEqualTo(1);
    }

    @Test
    void aConstantAdmissionStreamCannotStopTheAudit() throws InterruptedException {
        Pacer p = pacer(0, 100 * MS);
        busyUntil.set(Long.MAX_VALUE);
        long start = clock.get();

        for (int i = 0; i < 10; i++) {
            p.acquire();
        }

        // each permit waited exactly its cap, then went ahead: ten steps in ten caps
        assertThat(clock.get() - start).isEqualTo(10 * 100 * MS);
        assertThat(yields).hasSize(10).allMatch(n -> n == 100 * MS);
        assertThat(p.yieldedNanos()).isEqualTo(1000 * MS);
    }

    @Test
    void theLastSliceEndsAtTheCap() throws InterruptedException {
        Pacer p = pacer(0, 2 * MS + MS / 3);
        busyUntil.set(Long.MAX_VALUE);
        long start = clock.get();

        p.acquire();

        assertThat(clock.get() - start).isEqualTo(2 * MS + MS / 3);
        assertThat(sleeps).containsExactly(MS, MS, MS / 3);
    }

    @Test
    void aCapOfZeroNeverYields() throws InterruptedException {
        Pacer p = pacer(0, 0);
        busyUntil.set(Long.MAX_VALUE);
        for (int i = 0; i < 100; i++) {
            p.acquire();
        }
        assertThat(sleeps).isEmpty();
        assertThat(p.yields()).isZero();
    }

    @Test
    void theRateHoldsWithoutAdmission() throws InterruptedException {
        Pacer p = pacer(100, 100 * MS);
        long start = clock.get();
        for (int i = 0; i < 200; i++) {
            p.acquire();
        }
        // 100 permits a second, the first tenth of a second's worth as a burst
        long elapsed = clock.get() - start;
        assertThat(elapsed).isBetween(1900 * MS, 2000 * MS);
        assertThat(p.yieldedNanos()).isZero();
    }

    @Test
    void timeYieldedCountsTowardsTheRate() throws InterruptedException {
        // 10 permits a second: an interval of 100 ms
        Pacer p = pacer(10, 500 * MS);
        p.acquire(); // within the burst
        long start = clock.get();
        busyUntil.set(start + 300 * MS);

        p.acquire();

        // it yielded 300 ms, more than the interval: no further wait for the rate
        assertThat(clock.get() - start).isEqualTo(300 * MS);
        assertThat(p.yieldedNanos()).isEqualTo(300 * MS);
    }
}
