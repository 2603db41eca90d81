package dev.customs.audit;

import dev.customs.rules.ContainerView;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.PodView;

/**
 * A 64-bit digest of what an object's audit result depends on, built field by field (FNV-1a over every value, then
 * murmur3's finaliser), so the audit can tell that nothing changed without evaluating again. Two different inputs give
 * the same digest with a chance of about 2<sup>-64</sup>; equal inputs always give the same digest within one process
 * (the facts of an image contribute their content's {@code hashCode}, which is stable only within a process: the digest
 * is never stored outside it). Never 0, which stands for "not digested".
 */
final class Inputs {

    private long h = 0xcbf29ce484222325L;

    Inputs add(long v) {
        for (int i = 0; i < 64; i += 8) {
            h ^= v >>> i & 0xff;
            h *= 0x100000001b3L;
        }
        return this;
    }

    Inputs add(String s) {
        if (s == null) {
            return add(-1L);
        }
        add(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            h ^= c & 0xff;
            h *= 0x100000001b3L;
            h ^= c >>> 8;
            h *= 0x100000001b3L;
        }
        return this;
    }

    /** Each container's image and the facts the lookup holds for it. */
    Inputs add(PodView view, ImageLookup lookup) {
        add(view.containers().size());
        for (ContainerView c : view.containers()) {
            add(c.image());
            ImageFacts facts = lookup.factsFor(c);
            if (facts instanceof ImageFacts.Resolved r) {
                add(1).add(r.digest()).add(r.hashCode());
            } else if (facts instanceof ImageFacts.Unavailable u) {
                add(2).add(u.reason());
            } else {
                add(3);
            }
        }
        return this;
    }

    long value() {
        return spread(h);
    }

    /** murmur3's finaliser, so similar inputs spread over 64 bits; never 0. */
    static long spread(long h) {
        long x = h;
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x == 0 ? 1 : x;
    }
}
