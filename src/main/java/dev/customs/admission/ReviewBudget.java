package dev.customs.admission;

/**
 * The memory admission reviews in flight may take together ({@code customs.admission.max-bytes-in-flight}), estimated
 * from above. A body is charged its bytes while it arrives; once complete, its parsed form: the bytes plus
 * {@link #BYTES_PER_TOKEN} per JSON token, what parsing it into a tree and binding the pod spec keeps at most (a
 * 3 MiB review of tiny tokens, a hundred thousand {@code env} entries, makes about 50 MiB; a 3 MiB annotation, 3 MiB).
 * The charge is returned when the answer is written.
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
     * Replaces the body's charge {@code held} by the charge of its parsed form, of estimated {@code cost}; null when
     * that does not fit (then {@code held} stays charged).
     */
    synchronized Charge parsed(long cost, Charge held) {
        boolean isLarge = cost > max / 4;
        long charge = isLarge ? Math.min(cost, max / 2) : cost;
        long others = used - held.bytes();
        if (isLarge && large || others != 0 && others + charge > max) {
            return null;
        }
        used = others + charge;
        large |= isLarge;
        return new Charge(charge, isLarge);
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
