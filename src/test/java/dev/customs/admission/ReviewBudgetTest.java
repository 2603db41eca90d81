package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.customs.admission.ReviewBudget.Charge;

/** The budget of reviews in flight: bodies by their bytes, parsed reviews by their estimate, one large one at a time. */
class ReviewBudgetTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void bodiesAreChargedUntilTheBudgetIsFullButALoneOneAlwaysFits() {
        ReviewBudget b = new ReviewBudget(10 * MIB);

        Charge first = b.body(3 * MIB, Charge.NONE);
        Charge second = b.body(3 * MIB, Charge.NONE);
        Charge third = b.body(3 * MIB, Charge.NONE);
        assertThat(b.body(3 * MIB, Charge.NONE)).as("a fourth 3 MiB body").isNull();
        assertThat(b.used()).isEqualTo(9 * MIB);

        b.release(first);
        b.release(second);
        b.release(third);
        assertThat(b.used()).isZero();
        Charge lone = b.body(20 * MIB, Charge.NONE);
        assertThat(lone).as("a body over the whole budget, with nothing else in flight").isNotNull();
        assertThat(b.body(1, Charge.NONE)).isNull();
        b.release(lone);
        assertThat(b.used()).isZero();
    }

    @Test
    void aChunkedBodyGrowsItsCharge() {
        ReviewBudget b = new ReviewBudget(10 * MIB);
        Charge c = b.body(MIB, Charge.NONE);
        c = b.body(MIB, c);
        assertThat(c.bytes()).isEqualTo(2 * MIB);
        assertThat(b.used()).isEqualTo(2 * MIB);
        b.release(c);
        assertThat(b.used()).isZero();
    }

    @Test
    void theParsedFormReplacesTheBodysCharge() {
        ReviewBudget b = new ReviewBudget(64 * MIB);
        Charge body = b.body(20_000, Charge.NONE);
        Charge parsed = b.parsed(ReviewBudget.cost(20_000, 2_000), body);

        assertThat(parsed).isEqualTo(new Charge(20_000 + 2_000 * ReviewBudget.BYTES_PER_TOKEN, false));
        assertThat(b.used()).isEqualTo(parsed.bytes());
        b.release(parsed);
        assertThat(b.used()).isZero();
    }

    @Test
    void aParsedReviewThatDoesNotFitKeepsItsBodysCharge() {
        ReviewBudget b = new ReviewBudget(64 * MIB);
        for (int i = 0; i < 4; i++) {
            assertThat(b.parsed(15 * MIB, b.body(MIB, Charge.NONE))).isNotNull();
        }
        Charge body = b.body(MIB, Charge.NONE);

        assertThat(b.parsed(10 * MIB, body)).isNull();
        assertThat(b.used()).isEqualTo(61 * MIB);
        b.release(body);
        assertThat(b.used()).isEqualTo(60 * MIB);
    }

    @Test
    void onlyOneLargeReviewAtATimeAndItTakesAtMostHalf() {
        ReviewBudget b = new ReviewBudget(64 * MIB);
        // 3 MiB of tiny tokens: some 600,000 of them, about 80 MiB estimated
        long huge = ReviewBudget.cost(3 * MIB, 600_000);
        Charge first = b.parsed(huge, b.body(3 * MIB, Charge.NONE));

        assertThat(first).isEqualTo(new Charge(32 * MIB, true));
        Charge secondBody = b.body(3 * MIB, Charge.NONE);
        assertThat(b.parsed(huge, secondBody)).as("a second large review").isNull();
        b.release(secondBody);
        // ordinary reviews keep the other half
        Charge ordinary = b.parsed(ReviewBudget.cost(20_000, 2_000), b.body(20_000, Charge.NONE));
        assertThat(ordinary).isNotNull();
        assertThat(b.parsed(33 * MIB, b.body(MIB, Charge.NONE))).as("past the budget").isNull();

        b.release(first);
        assertThat(b.parsed(huge, b.body(3 * MIB, Charge.NONE))).as("the next large one, once the first is done")
                .isNotNull();
    }

    @Test
    void aChargePaidAheadThatEndsBelowTheQuarterIsNoLongerTheLargeOne() {
        ReviewBudget b = new ReviewBudget(64 * MIB);
        Charge ahead = b.parsed(17 * MIB, b.body(MIB, Charge.NONE));
        assertThat(ahead.large()).isTrue();
        Charge exact = b.parsed(15 * MIB, ahead);

        assertThat(exact).isEqualTo(new Charge(15 * MIB, false));
        assertThat(b.used()).isEqualTo(15 * MIB);
        Charge next = b.parsed(20 * MIB, b.body(MIB, Charge.NONE));
        assertThat(next).as("another large review, the first having become an ordinary one").isNotNull();
        assertThat(next.large()).isTrue();
        b.release(exact);
        b.release(next);
        assertThat(b.used()).isZero();
    }
}
