package dev.customs.audit;

import java.util.function.ObjIntConsumer;

import dev.customs.policy.Decision;
import dev.customs.rules.ImageUnverified;
import dev.customs.rules.RuleRegistry;

/**
 * An object's acted-on findings per rule (what the audit's violation gauges count), packed into one long: 6 bits per
 * rule id with today's 10 rules (fewer when there are more, at least 4 up to 15 rules), in {@link RuleRegistry#IDS}
 * order. An object with more findings of one rule than its bits hold (63 with 6 bits) is not packed, and the audit
 * evaluates it again each run instead of counting it from the last.
 */
final class FindingCounts {

    static final int BITS = Math.min(6, 63 / RuleRegistry.IDS.size());
    static final long MAX = (1L << BITS) - 1;
    /** What {@link #pack} returns when a count does not fit. */
    static final long UNPACKABLE = -1;

    private FindingCounts() {
    }

    static long pack(Decision decision) {
        long packed = 0;
        for (Decision.Finding f : decision.effective()) {
            if (f.rule().equals(ImageUnverified.ID)) {
                continue;
            }
            int shift = RuleRegistry.IDS.indexOf(f.rule()) * BITS;
            if (shift < 0 || (packed >>> shift & MAX) == MAX) {
                return UNPACKABLE;
            }
            packed += 1L << shift;
        }
        return packed;
    }

    static void unpack(long packed, ObjIntConsumer<String> perRule) {
        for (int i = 0; i < RuleRegistry.IDS.size(); i++) {
            int n = (int) (packed >>> i * BITS & MAX);
            if (n > 0) {
                perRule.accept(RuleRegistry.IDS.get(i), n);
            }
        }
    }
}
