package dev.customs.image.registry;

import java.util.Collection;
import java.util.Map;
import java.util.function.ToLongFunction;

import com.github.benmanes.caffeine.cache.Weigher;

import dev.customs.image.PlatformSelector;
import dev.customs.rules.ConfigVerdict;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageVerdict;
import dev.customs.rules.Layer;
import dev.customs.rules.Platform;
import dev.customs.rules.PlatformImage;

/**
 * What a cached manifest or image config costs on the heap, estimated from above: every character counted as two bytes
 * (as a string that is not Latin-1 takes), 56 bytes per string and 8 per reference beside that, 64 per map entry, and
 * the cache's own entry and key. So the byte budget of a cache is an upper bound of what it holds, however the images
 * are shaped.
 *
 * <p>
 * An entry weighs at least the budget divided by the entry limit, so a cache holds at most that many entries as well:
 * {@code cache-size} keeps its meaning of "the most manifests, and separately the most image configs", and
 * {@code cache-memory} bounds the bytes.
 */
final class CacheWeights {

    private static final int STRING = 56;
    private static final int REFERENCE = 8;
    private static final int OBJECT = 32;
    private static final int MAP_ENTRY = 64;
    /** Caffeine's node, its hash table slot and the key record. */
    private static final int CACHE_ENTRY = 128;

    private CacheWeights() {
    }

    /** A weigher for a cache of {@code budget} bytes and at most {@code entries} entries. */
    static <K, V> Weigher<K, V> weigher(long budget, long entries, ToLongFunction<K> key, ToLongFunction<V> value) {
        long floor = Math.max(1, budget / Math.max(1, entries));
        return (k, v) -> (int) Math.min(Integer.MAX_VALUE,
                Math.max(floor, CACHE_ENTRY + key.applyAsLong(k) + value.applyAsLong(v)));
    }

    /** A key of a few strings. */
    static long key(String... parts) {
        long n = OBJECT;
        for (String p : parts) {
            n += string(p);
        }
        return n;
    }

    static long manifest(Manifest m) {
        long n = OBJECT + string(m.mediaType()) + map(m.annotations());
        if (m instanceof Manifest.Image image) {
            Manifest.Descriptor d = image.config();
            n += OBJECT + string(d.mediaType()) + string(d.digest()) + list(image.layers());
            for (Manifest.Descriptor l : image.layers()) {
                n += OBJECT + string(l.mediaType()) + string(l.digest());
            }
        } else if (m instanceof Manifest.Index index) {
            n += list(index.manifests());
            for (Manifest.Entry e : index.manifests()) {
                n += OBJECT + string(e.mediaType()) + string(e.digest()) + platform(e.platform())
                        + map(e.annotations());
            }
        }
        return n;
    }

    static long config(ImageConfig c) {
        long n = OBJECT + platform(c.platform()) + string(c.user()) + strings(c.entrypoint()) + strings(c.cmd())
                + strings(c.env()) + map(c.labels()) + list(c.history());
        for (ImageConfig.History h : c.history()) {
            n += OBJECT + string(h.createdBy());
        }
        return n;
    }

    /** A config with its verdict: the verdict refers to the config's strings, and adds its own lists and secrets. */
    static long judged(ImageConfig c, ConfigVerdict v) {
        long n = config(c) + OBJECT * 6 + (long) MAP_ENTRY * v.labelKeys().size()
                + (long) REFERENCE * (v.layerHistory().size() * 3L + v.layerInstructions().size())
                + list(v.process().argv()) + list(v.process().entrypoint()) + list(v.process().cmd());
        for (ImageVerdict.Secret secret : v.secrets()) {
            n += OBJECT + string(secret.description());
        }
        // the shell-form finding keeps its message parts, rendered once (its argv is a copy of part of argv's)
        n += v.process().shellForm().map(f -> OBJECT * 3 + list(f.pid1()) + string(f.why()) + string(f.shown())
                + string(f.via())).orElse(0L);
        return n;
    }

    /**
     * The facts of a resolved image, every platform's config counted in full: a config evicted from its own cache
     * stays alive as long as facts refer to it.
     */
    static long resolved(ImageFacts.Resolved facts) {
        long n = OBJECT + string(facts.digest()) + list(facts.platforms());
        for (PlatformImage p : facts.platforms()) {
            ImageVerdict v = p.verdict();
            n += OBJECT * 2 + platform(p.platform()) + map(p.annotations()) + list(p.layers())
                    + (long) MAP_ENTRY * v.keys().size() + list(v.layers()) + judged(p.config(), v.config());
            for (Layer l : p.layers()) {
                n += OBJECT * 2 + string(l.digest()) + string(l.mediaType());
            }
        }
        return n;
    }

    /** A platform selection, as a pod's node selector and affinity write it. */
    static long selector(PlatformSelector s) {
        return OBJECT + strings(s.os()) + strings(s.architectures());
    }

    static long string(String s) {
        return s == null ? 0 : STRING + 2L * s.length();
    }

    private static long platform(Platform p) {
        return p == null ? 0 : OBJECT + string(p.os()) + string(p.architecture()) + string(p.variant());
    }

    private static long strings(Collection<String> c) {
        long n = list(c);
        for (String s : c) {
            n += string(s);
        }
        return n;
    }

    private static long list(Collection<?> c) {
        return OBJECT + (long) REFERENCE * c.size();
    }

    private static long map(Map<String, String> m) {
        long n = OBJECT + (long) MAP_ENTRY * m.size();
        for (Map.Entry<String, String> e : m.entrySet()) {
            n += string(e.getKey()) + string(e.getValue());
        }
        return n;
    }
}
