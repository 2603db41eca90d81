package dev.customs.image.layers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.customs.report.Recorder;
import dev.customs.rules.ImageVerdict.BuiltLayer;
import dev.customs.rules.Layer;
import dev.customs.rules.LayerSecrets;

/**
 * Layer scans, scheduled and cached. A layer is content-addressed, so it is scanned once and its verdict cached by
 * digest (a bounded cache weighed in bytes): base layers shared by thousands of images cost one scan. Scans run on a
 * small pool of their own ({@code concurrency} threads, a bounded queue; a full queue drops the scan, which is retried
 * by a later review), read at most {@code bytes-per-second} of compressed layer in total, stop at {@code maxBytes} of
 * tar and after {@link #MAX_SCAN_TIME}. A failed scan is not cached, but not retried for {@link #RETRY_AFTER}.
 *
 * <p>
 * {@link Mode#BACKGROUND}: a review gets the cached verdicts at once and the unseen layers are scheduled;
 * {@link Mode#ADMISSION}: a review waits for its layers until its deadline, and what did not finish makes the image
 * unverified for {@code leaked-secret}. Either way a scan that outlives the review goes on, and its verdict serves the
 * next one.
 */
public final class LayerScans implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LayerScans.class);

    /** The longest one layer scan may run; a registry that trickles bytes cannot hold a scan thread longer. */
    static final Duration MAX_SCAN_TIME = Duration.ofMinutes(10);
    /** How long a failed layer is not scanned again. */
    static final Duration RETRY_AFTER = Duration.ofMinutes(5);
    /** Scans waiting for a thread; beyond, new ones are dropped. */
    static final int QUEUE = 1000;
    /** Memory the cached verdicts may take (estimated). */
    static final long CACHE_BYTES = 64L * 1024 * 1024;

    /** When layers are scanned: {@code customs.rules."leaked-secret".layers}. */
    public enum Mode {
        OFF,
        BACKGROUND,
        ADMISSION
    }

    /**
     * @param mode when layers are scanned
     * @param maxBytes the most uncompressed tar bytes one layer scan reads
     * @param bytesPerSecond the most compressed layer bytes all scans together read per second
     * @param concurrency how many layers are scanned at once
     */
    public record Settings(Mode mode, long maxBytes, long bytesPerSecond, int concurrency) {
        public static final Settings OFF = new Settings(Mode.OFF, 0, 1, 1);
    }

    private final Settings settings;
    private final Recorder recorder;
    private final Cache<String, LayerVerdict> verdicts;
    /** Failed layers, each with the failed future every look-up until the retry shares (one exception, not one each). */
    private final Cache<String, CompletableFuture<LayerVerdict>> failed;
    private final Map<String, CompletableFuture<LayerVerdict>> running = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService watchdog;
    private final Throttle throttle;

    public LayerScans(Settings settings, Recorder recorder) {
        this.settings = settings;
        this.recorder = recorder;
        this.verdicts = Caffeine.newBuilder().maximumWeight(CACHE_BYTES)
                .weigher((String k, LayerVerdict v) -> v.weight() + 2 * k.length()).build();
        this.failed = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(RETRY_AFTER).build();
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(1, settings.concurrency());
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "customs-layer-scan-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "customs-layer-scan-watchdog");
            t.setDaemon(true);
            return t;
        });
        this.throttle = new Throttle(settings.bytesPerSecond());
    }

    public Mode mode() {
        return settings.mode();
    }

    /**
     * What an image's layers hold, as far as known by {@code deadlineNanos} ({@link System#nanoTime()}; 0 for none)
     * in admission mode, or from the cache alone in background mode. Never completes exceptionally.
     */
    public CompletableFuture<LayerSecrets> secrets(List<BuiltLayer> layers, LayerSource source, long deadlineNanos) {
        if (settings.mode() == Mode.OFF || layers.isEmpty()) {
            return CompletableFuture.completedFuture(LayerSecrets.OFF);
        }
        List<CompletableFuture<LayerVerdict>> scans = new ArrayList<>(layers.size());
        int hits = 0;
        for (BuiltLayer built : layers) {
            Layer layer = built.layer();
            LayerVerdict cached = verdicts.getIfPresent(layer.digest());
            if (cached != null) {
                hits++;
                scans.add(CompletableFuture.completedFuture(cached));
            } else {
                scans.add(scan(layer, source));
            }
        }
        recorder.layerVerdicts("hit", hits);
        recorder.layerVerdicts("miss", layers.size() - hits);
        if (settings.mode() == Mode.BACKGROUND) {
            return CompletableFuture.completedFuture(assemble(layers, scans));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(scans.toArray(CompletableFuture[]::new))
                .handle((v, e) -> null);
        if (deadlineNanos != 0) {
            long wait = Math.max(0, deadlineNanos - System.nanoTime());
            all = all.completeOnTimeout(null, wait, TimeUnit.NANOSECONDS);
        }
        return all.thenApply(v -> assemble(layers, scans));
    }

    /**
     * Counts the look-ups of layer verdicts that a result joined before, and reused, stands for: each layer of each of
     * its platforms a hit, as if its verdict had been looked up again; one increment for the image.
     */
    public void reused(int layers) {
        recorder.layerVerdicts("hit", layers);
    }

    /** The verdicts known now, combined; what is missing makes the result partial (background) or unfinished. */
    private LayerSecrets assemble(List<BuiltLayer> layers, List<CompletableFuture<LayerVerdict>> scans) {
        List<LayerVerdict> known = new ArrayList<>(layers.size());
        List<String> capped = new ArrayList<>();
        boolean missing = false;
        String unfinished = null;
        for (int i = 0; i < layers.size(); i++) {
            CompletableFuture<LayerVerdict> f = scans.get(i);
            LayerVerdict v = f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
            known.add(v);
            if (v != null && v.capped()) {
                capped.add(shortDigest(layers.get(i).layer().digest()));
            }
            missing |= v == null;
            // why is shown only in admission mode; the background one says no more than that findings are partial
            if (v == null && unfinished == null && settings.mode() == Mode.ADMISSION) {
                Layer l = layers.get(i).layer();
                String what = "the scan of layer " + (i + 1) + " (" + shortDigest(l.digest())
                        + (l.size() > 0 ? ", " + mib(l.size()) : "") + ")";
                unfinished = f.isCompletedExceptionally() ? what + " failed: " + reason(f)
                        : what + " did not finish within the budget";
            }
        }
        List<LayerSecrets.Finding> findings = LayerFindings.combine(layers, known);
        if (!missing) {
            return new LayerSecrets(LayerSecrets.Status.COMPLETE, findings, capped, "");
        }
        return settings.mode() == Mode.ADMISSION
                ? new LayerSecrets(LayerSecrets.Status.UNFINISHED, findings, capped, unfinished)
                : new LayerSecrets(LayerSecrets.Status.PARTIAL, findings, capped, "");
    }

    /** Why a future failed, read without throwing (its cause when it failed along a chain of stages). */
    private static String reason(CompletableFuture<?> f) {
        Throwable t = f.handle((v, e) -> e).join();
        if (t == null) {
            return "";
        }
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private CompletableFuture<LayerVerdict> scan(Layer layer, LayerSource source) {
        String digest = layer.digest();
        CompletableFuture<LayerVerdict> failure = failed.getIfPresent(digest);
        if (failure != null) {
            return failure;
        }
        CompletableFuture<LayerVerdict> mine = new CompletableFuture<>();
        CompletableFuture<LayerVerdict> other = running.putIfAbsent(digest, mine);
        if (other != null) {
            return other;
        }
        mine.whenComplete((v, e) -> running.remove(digest, mine));
        try {
            pool.execute(() -> run(layer, source, mine));
        } catch (RejectedExecutionException e) {
            recorder.layerScan("dropped", 0);
            LOG.debugf("layer scan dropped, the queue is full: layer=%s", shortDigest(digest));
            mine.completeExceptionally(new IOException("too many layer scans are waiting"));
        }
        return mine;
    }

    private void run(Layer layer, LayerSource source, CompletableFuture<LayerVerdict> result) {
        AtomicLong read = new AtomicLong();
        long started = System.nanoTime();
        ScheduledFuture<?> timeout = null;
        try (InputStream blob = source.open(layer)) {
            timeout = watchdog.schedule(() -> closeQuietly(blob), MAX_SCAN_TIME.toMillis(), TimeUnit.MILLISECONDS);
            InputStream in = throttle.wrap(blob, read);
            LayerVerdict v = LayerScanner.scan(in, settings.maxBytes());
            if (!v.capped()) {
                // the rest (tar padding, compression trailer) must be read for the digest to be checked at the end
                in.transferTo(OutputStream.nullOutputStream());
            }
            verdicts.put(layer.digest(), v);
            recorder.layerScan(v.capped() ? "capped" : v.files().isEmpty() ? "clean" : "found", read.get());
            if (!v.files().isEmpty()) {
                LOG.infof("secret files in layer: layer=%s files=%s", shortDigest(layer.digest()),
                        v.files().stream().map(f -> "/" + f.path()).toList());
            }
            if (v.capped()) {
                LOG.infof("layer scanned only up to the byte cap: layer=%s cap=%s", shortDigest(layer.digest()),
                        mib(settings.maxBytes()));
            }
            LOG.debugf("layer scanned: layer=%s compressed=%d tar=%d ms=%d", shortDigest(layer.digest()), read.get(),
                    v.bytes(), (System.nanoTime() - started) / 1_000_000);
            result.complete(v);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            failed.put(layer.digest(), CompletableFuture.failedFuture(new IOException(why)));
            recorder.layerScan("failed", read.get());
            LOG.debugf("layer scan failed: layer=%s reason=%s", shortDigest(layer.digest()), why);
            result.completeExceptionally(e);
        } finally {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // the scan fails on its next read, which is what the timeout is for
        }
    }

    static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return colon >= 0 && digest.length() > colon + 13 ? digest.substring(0, colon + 13) + "…" : digest;
    }

    static String mib(long bytes) {
        return bytes >= 1024 * 1024 ? (bytes / (1024 * 1024)) + " MiB" : bytes + " bytes";
    }

    @Override
    public void close() {
        pool.shutdownNow();
        watchdog.shutdownNow();
    }
}
