package dev.customs.audit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A map from 64-bit keys to 64-bit values in two flat arrays (open addressing, linear probing): 16 bytes per entry at
 * most half full, where a {@code HashMap<String, Long>} would take ten times that. The audit keeps one entry per report,
 * which at Kubernetes' scalability limit is a couple of hundred thousand. Not thread-safe.
 */
final class LongHashMap {

    private static final long FREE = 0;

    private long[] keys;
    private long[] values;
    private int size;

    LongHashMap() {
        this(1024);
    }

    LongHashMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
        keys = new long[capacity];
        values = new long[capacity];
    }

    /** The key of a report: 64 bits of its namespace and name. Never 0. */
    static long key(String namespace, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (namespace + "/" + name).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        // so similar names spread over the table
        return Inputs.spread(h);
    }

    int size() {
        return size;
    }

    void put(long key, long value) {
        if (key == FREE) {
            throw new IllegalArgumentException("key 0 is reserved");
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int i = slot(key);
        if (keys[i] == FREE) {
            keys[i] = key;
            size++;
        }
        values[i] = value;
    }

    boolean containsKey(long key) {
        return key != FREE && keys[slot(key)] == key;
    }

    /** The value of {@code key}, or {@code otherwise} when there is none. */
    long get(long key, long otherwise) {
        if (key == FREE) {
            return otherwise;
        }
        int i = slot(key);
        return keys[i] == key ? values[i] : otherwise;
    }

    /** The slot holding {@code key}, or the free slot where it would go. */
    private int slot(long key) {
        int mask = keys.length - 1;
        int i = (int) (key ^ key >>> 32) & mask;
        while (keys[i] != FREE && keys[i] != key) {
            i = i + 1 & mask;
        }
        return i;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldValues.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != FREE) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Bytes held by the two arrays. */
    long bytes() {
        return 16L * keys.length;
    }

    @Override
    public String toString() {
        return "LongHashMap[size=" + size + ", capacity=" + keys.length + "]";
    }

    void clear() {
        Arrays.fill(keys, FREE);
        size = 0;
    }
}
