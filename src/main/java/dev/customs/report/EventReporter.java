package dev.customs.report;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.ObjectReference;

/**
 * Posts Events from a bounded queue on its own thread, after the admission answer is decided: admission only offers to
 * the queue and never waits for the API server (it wakes the thread only while {@link #WAKE_BATCH} Events, or half a
 * smaller queue, wait; the thread otherwise looks at the queue every {@link #PERIOD}). A full queue drops the Event and
 * counts it. Identical Events (same regarding object, action, rules and images) within the aggregation window update
 * one Event's series instead of creating another.
 */
public final class EventReporter implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EventReporter.class);
    /** Aggregation entries kept at most; the oldest go first. */
    private static final int MAX_AGGREGATES = 10_000;
    /**
     * How often the worker looks at the queue. Admission does not signal the worker for each denial (a wake-up per
     * denial cost more than the denial's rules), so an Event waits up to this long, unless {@link #WAKE_BATCH} waiting
     * Events wake it at once.
     */
    static final Duration PERIOD = Duration.ofMillis(200);
    /**
     * How many waiting Events wake the worker (or half the queue, when smaller). Every report waiting in the queue is
     * live at each young collection, which copies it: under a flood of denials, waking at half of a 1,000-report queue
     * kept hundreds of them (their messages, a few KiB each) alive, and doubled the young collections' pauses (pod-10
     * at saturation: 4.4 ms against 2.2 ms with Events off). Smaller batches cost the worker more per Event (32: twice
     * as much as 500); 128 spent the least on the worker and the collector together.
     */
    static final int WAKE_BATCH = 128;

    private final EventSink sink;
    private final Recorder recorder;
    private final Clock clock;
    private final Duration window;
    /** Linked: its size, read on every offer, is a counter, not a lock taken again. */
    private final BlockingQueue<ViolationReport> queue;
    private final int wakeAt;
    private final Thread worker;
    private final Duration period;
    private volatile boolean running = true;
    /** Touched only by the worker thread. */
    private final Map<String, Aggregate> recent = new LinkedHashMap<>();
    /**
     * The report posted last, with its key and without its lines, written only by the worker: the next one is mostly
     * the same. Admission reads it too: a report offered with the same key takes that key along, compared where the
     * report was just made (its sets are in that thread's cache, not the worker's).
     */
    private volatile ViolationReport keyed;

    private static final class Aggregate {
        final String namespace;
        final String name;
        final Instant first;
        int count = 1;

        Aggregate(String namespace, String name, Instant first) {
            this.namespace = namespace;
            this.name = name;
            this.first = first;
        }
    }

    public EventReporter(EventSink sink, Recorder recorder, Clock clock, Duration window, int queueSize) {
        this(sink, recorder, clock, window, queueSize, PERIOD);
    }

    /** With another period than {@link #PERIOD}: for tests. */
    EventReporter(EventSink sink, Recorder recorder, Clock clock, Duration window, int queueSize, Duration period) {
        this.period = period;
        this.sink = sink;
        this.recorder = recorder;
        this.clock = clock;
        this.window = window;
        this.queue = new LinkedBlockingQueue<>(Math.max(1, queueSize));
        this.wakeAt = Math.max(1, Math.min(WAKE_BATCH, queueSize / 2));
        this.worker = new Thread(this::run, "customs-events");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /**
     * Queues an Event; never blocks, and does not wake the worker (it looks every {@link #PERIOD}) unless
     * {@link #WAKE_BATCH} Events (or half the queue) are waiting. Returns false when the queue was full and the Event was
     * dropped.
     */
    public boolean offer(ViolationReport report) {
        if (queue.offer(report)) {
            if (queue.size() >= wakeAt) {
                LockSupport.unpark(worker);
            }
            return true;
        }
        recorder.event("dropped");
        LOG.debugf("event queue full; dropped event for kind=%s namespace=%s name=%s",
                report.regarding().getKind(), report.regarding().getNamespace(), report.regarding().getName());
        return false;
    }

    /**
     * The key of the report posted last when a report of these parts would have the same key, else null: to make the
     * report with ({@link ViolationReport#knownKey()}).
     */
    public String knownKey(ObjectReference regarding, String action, SortedSet<String> rules,
            SortedSet<String> images) {
        ViolationReport last = keyed;
        return last != null && last.sameKey(regarding, action, rules, images) ? last.knownKey() : null;
    }

    /**
     * Whether the worker is in a timed wait: parked for its period when the sink does not wait itself, as in tests; for
     * tests.
     */
    boolean waiting() {
        return worker.getState() == Thread.State.TIMED_WAITING;
    }

    /** Events waiting to be posted. */
    public int pending() {
        return queue.size();
    }

    private void run() {
        while (running) {
            for (ViolationReport r = queue.poll(); r != null && running; r = queue.poll()) {
                post(r);
            }
            LockSupport.parkNanos(this, period.toNanos());
            if (Thread.interrupted()) {
                return;
            }
        }
    }

    private void post(ViolationReport r) {
        Instant now = clock.instant();
        expire(now);
        ViolationReport last = keyed;
        String key = r.knownKey() != null ? r.knownKey() : r.sameKey(last) ? last.knownKey() : r.key();
        if (last == null || key != last.knownKey()) {
            keyed = new ViolationReport(r.regarding(), r.eventNamespace(), r.action(), r.rules(), r.images(), List.of(),
                    key);
        }
        Aggregate a = recent.get(key);
        try {
            if (a != null) {
                a.count++;
                sink.addToSeries(a.namespace, a.name, a.count, now);
                recorder.event("aggregated");
            } else {
                String name = sink.create(r, now);
                recent.put(key, new Aggregate(r.eventNamespace(), name, now));
                recorder.event("posted");
            }
        } catch (RuntimeException e) {
            recorder.event("failed");
            if (a != null) {
                recent.remove(key); // the Event may be gone; the next occurrence creates a new one
            }
            LOG.warnf("could not post event for kind=%s namespace=%s name=%s: %s", r.regarding().getKind(),
                    r.regarding().getNamespace(), r.regarding().getName(), e.getMessage());
        }
    }

    private void expire(Instant now) {
        Iterator<Aggregate> it = recent.values().iterator();
        while (it.hasNext()) {
            Aggregate a = it.next();
            if (recent.size() > MAX_AGGREGATES || a.first.plus(window).isBefore(now)) {
                it.remove();
            } else {
                break; // insertion order: the rest are younger
            }
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
    }
}
