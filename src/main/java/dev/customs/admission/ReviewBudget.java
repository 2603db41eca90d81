package dev.customs.admission;

/**
 * The memory admission reviews in flight may take together ({@code customs.admission.max-bytes-in-flight}), estimated
 * from above. A body is charged its bytes while it arrives; once complete, its parsed form: the bytes plus
 * {@link #BYTES_PER_TOKEN} per JSON token of its tree, what parsing it into a tree and reading the pod spec from it
 * keeps at most (a 3 MiB review of tiny tokens, a hundred thousand {@code env} entries, makes about 50 MiB; a 3 MiB
 * annotation, 3 MiB). The parsed form's charge grows while the tree is built, ahead of it, and is made exact when the
 * tree is complete ({@link ReviewReader.Meter}); what the reader skips ({@code managedFields}) is not charged. The
 * charge is returned when the answer is written.
 *
 * <p>
 * A charge that does not fit is refused, except when nothing else is in flight: the budget bounds many reviews, never
 * one. A large review (an estimate above a quarter of the budget) is charged at most half the budget, and only one is
 * evaluated at a time, so the reviews of everyone else always keep half the budget: at most half the budget plus one
 * large review are in memory.
 */
final class ReviewBudget {

    /** What one JSON token of a review costs at most in the heap, parsed and bound (measured: 80 to 131 bytes). */
    static final int BYTES_PER_TOKEN = 128;

    private final long max;
    private long used;
    private boolean large;

    ReviewBudget(long max) {
        this.max = max;
    }

    /** One review's share: what it was charged, and whether it is the large one. */
    record Charge(long bytes, boolean large) {
        static final Charge NONE = new Charge(0, false);
    }

    /** Charges {@code bytes} of a body as it arrives; null when they do not fit. */
    synchronized Charge body(long bytes, Charge held) {
        if (used != 0 && used + bytes > max) {
            return null;
        }
        used += bytes;
        return new Charge(held.bytes() + bytes, held.large());
    }

    /** The estimated cost of a complete body of {@code bytes} with {@code tokens} JSON tokens. */
    static long cost(long bytes, long tokens) {
        return bytes + tokens * BYTES_PER_TOKEN;
    }

    /**
     * Replaces the charge {@code held} (the body's, or its parsed form's so far) by the charge of its parsed form, of
     * estimated {@code cost}; null when that does not fit (then {@code held} stays charged).
     */
    synchronized Charge parsed(long cost, Charge held) {
        boolean isLarge = cost > max / 4;
        long charge = isLarge ? Math.min(cost, max / 2) : cost;
        long others = used - held.bytes();
        boolean othersLarge = large && !held.large();
        if (isLarge && othersLarge || others != 0 && others + charge > max) {
            return null;
        }
        used = others + charge;
        // a charge paid ahead may have been large and be made exact below the mark
        large = othersLarge || isLarge;
        return new Charge(charge, isLarge);
    }

    /**
     * Thrown by a {@link ReviewReader.Meter} whose review's tree no longer fits: the parse stops and the review is
     * answered 429. Without a stack trace: it is an answer, not a fault, and costs nothing to raise.
     */
    static final class Exhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        static final Exhausted INSTANCE = new Exhausted();

        private Exhausted() {
            super("the reviews in flight take the whole budget", null, false, false);
        }
    }

    /** Where one review's charge is kept between calls: its request's state. */
    interface Share {
        Charge charge();

        void charge(Charge c);
    }

    /**
     * The meter that pays for the tree of a body of {@code bytes} from {@code share}: each time the tree grows past
     * what was paid for, the share's charge is replaced by that of the larger tree; when that does not fit, it throws
     * {@link Exhausted} and the share keeps what it held.
     */
    ReviewReader.Meter meter(long bytes, Share share) {
        return tokens -> {
            Charge c = parsed(cost(bytes, tokens), share.charge());
            if (c == null) {
                throw Exhausted.INSTANCE;
            }
            share.charge(c);
        };
    }

    /** Returns a charge. */
    synchronized void release(Charge c) {
        used -= c.bytes();
        if (c.large()) {
            large = false;
        }
    }

    synchronized long used() {
        return used;
    }

    long max() {
        return max;
    }
}
