package dev.customs.image.registry;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;

/**
 * A cache of values loaded asynchronously, where concurrent requests for one missing key share one load and only
 * successful loads are kept (a failure is not cached here, so it never sits in the cache and is logged nowhere). The
 * bounds and expiry are those of the given Caffeine cache.
 */
final class SingleFlight<K, V> {

    private final Cache<K, V> cache;
    private final Map<K, CompletableFuture<V>> loading = new ConcurrentHashMap<>();

    SingleFlight(Cache<K, V> cache) {
        this.cache = cache;
    }

    /** The cached value, the load already in flight, or a new load; {@code load} may throw. */
    CompletableFuture<V> get(K key, Supplier<CompletableFuture<V>> load) {
        V cached = cache.getIfPresent(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = loading.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        // a load may have finished between the cache check and registering ours
        cached = cache.getIfPresent(key);
        if (cached != null) {
            loading.remove(key, mine);
            mine.complete(cached);
            return mine;
        }
        CompletableFuture<V> work;
        try {
            work = load.get();
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        work.whenComplete((v, e) -> {
            if (e == null && v != null) {
                cache.put(key, v);
            }
            loading.remove(key, mine);
            if (e != null) {
                mine.completeExceptionally(e);
            } else {
                mine.complete(v);
            }
        });
        return mine;
    }

    V getIfPresent(K key) {
        return cache.getIfPresent(key);
    }

    void put(K key, V value) {
        cache.put(key, value);
    }

    void invalidate(K key) {
        cache.invalidate(key);
    }
}
