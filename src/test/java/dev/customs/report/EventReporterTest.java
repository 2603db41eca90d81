package dev.customs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

class EventReporterTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-22T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static final class CountingRecorder implements Recorder {
        final Map<String, AtomicInteger> events = new ConcurrentHashMap<>();

        @Override
        public void event(String result) {
            events.computeIfAbsent(result, k -> new AtomicInteger()).incrementAndGet();
        }

        int count(String result) {
            return events.getOrDefault(result, new AtomicInteger()).get();
        }
    }

    static final class RecordingSink implements EventSink {
        final List<String> created = new CopyOnWriteArrayList<>();
        final List<Integer> series = new CopyOnWriteArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);

        @Override
        public String create(ViolationReport report, Instant now) {
            await();
            String name = "ev" + created.size();
            created.add(name);
            return name;
        }

        @Override
        public void addToSeries(String namespace, String eventName, int count, Instant now) {
            await();
            series.add(count);
        }

        private void await() {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static ViolationReport report(String name, String rule) {
        return new ViolationReport(new ObjectReferenceBuilder().withKind("Deployment").withNamespace("shop")
                .withName(name).withApiVersion("apps/v1").build(), "shop", "Denied", new TreeSet<>(List.of(rule)),
                new TreeSet<>(List.of("nginx:1")), List.of("[" + rule + "] problem: fix"));
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }

    static ViolationReport report(String kind, String namespace, String name, String action, String image) {
        return new ViolationReport(new ObjectReferenceBuilder().withKind(kind).withNamespace(namespace)
                .withName(name).withApiVersion("apps/v1").build(), namespace, action,
                new TreeSet<>(List.of("latest-tag")), new TreeSet<>(List.of(image)),
                List.of("[latest-tag] problem: fix"));
    }

    @Test
    void aReportHasTheKeyOfTheOneBeforeItOnlyWhenWhatMakesTheKeyIsTheSame() {
        ViolationReport a = report("Deployment", "shop", "web", "Denied", "nginx:1");
        ViolationReport same = new ViolationReport(a.regarding(), a.eventNamespace(), a.action(),
                new TreeSet<>(a.rules()), new TreeSet<>(a.images()), List.of("other lines do not make another Event"));
        assertThat(a.sameKey(same)).isTrue();
        assertThat(a.key()).isEqualTo(same.key());
        List<ViolationReport> others = List.of(report("StatefulSet", "shop", "web", "Denied", "nginx:1"),
                report("Deployment", "shop2", "web", "Denied", "nginx:1"),
                report("Deployment", "shop", "web2", "Denied", "nginx:1"),
                report("Deployment", "shop", "web", "Warned", "nginx:1"),
                report("Deployment", "shop", "web", "Denied", "nginx:2"), report("web", "run-as-root"));
        for (ViolationReport other : others) {
            assertThat(a.sameKey(other)).as("%s", other).isFalse();
            assertThat(other.sameKey(a)).as("%s", other).isFalse();
            assertThat(a.key()).as("%s", other).isNotEqualTo(other.key());
        }
        assertThat(a.sameKey(null)).isFalse();
    }

    @Test
    void reportsThatDifferOnlyInOneOfTheKeysPartsAreEachTheirOwnEventWhenTheyAlternate() throws Exception {
        TestClock clock = new TestClock();
        RecordingSink sink = new RecordingSink();
        CountingRecorder rec = new CountingRecorder();
        try (EventReporter r = new EventReporter(sink, rec, clock, Duration.ofMinutes(10), 100)) {
            ViolationReport a = report("Deployment", "shop", "web", "Denied", "nginx:1");
            ViolationReport b = report("Deployment", "shop", "web", "Denied", "nginx:2");
            for (ViolationReport x : List.of(a, a, b, a, b, b)) {
                r.offer(x);
            }
            waitFor(() -> rec.count("posted") + rec.count("aggregated") == 6);
            assertThat(sink.created).hasSize(2);
            assertThat(sink.series).containsExactly(2, 3, 2, 3);
        }
    }

    @Test
    void aReportMadeLikeTheOnePostedLastTakesItsKeyAlong() throws Exception {
        RecordingSink sink = new RecordingSink();
        CountingRecorder rec = new CountingRecorder();
        try (EventReporter r = new EventReporter(sink, rec, new TestClock(), Duration.ofMinutes(10), 100)) {
            ViolationReport a = report("Deployment", "shop", "web", "Denied", "nginx:1");
            assertThat(r.knownKey(a.regarding(), a.action(), a.rules(), a.images())).as("nothing posted yet").isNull();
            r.offer(a);
            waitFor(() -> rec.count("posted") == 1);

            ViolationReport like = report("Deployment", "shop", "web", "Denied", "nginx:1");
            String known = r.knownKey(like.regarding(), like.action(), like.rules(), like.images());
            assertThat(known).isEqualTo(a.key());
            ViolationReport other = report("Deployment", "shop", "web", "Denied", "nginx:2");
            assertThat(r.knownKey(other.regarding(), other.action(), other.rules(), other.images())).isNull();

            ViolationReport keyed = new ViolationReport(like.regarding(), like.eventNamespace(), like.action(),
                    like.rules(), like.images(), like.lines(), known);
            assertThat(keyed.key()).isSameAs(known);
            r.offer(keyed);
            r.offer(other);
            waitFor(() -> rec.count("posted") + rec.count("aggregated") == 3);
            assertThat(sink.created).hasSize(2);
            assertThat(sink.series).containsExactly(2);
            // the last posted is now the other one
            assertThat(r.knownKey(other.regarding(), other.action(), other.rules(), other.images()))
                    .isEqualTo(other.key());
            assertThat(r.knownKey(a.regarding(), a.action(), a.rules(), a.images())).isNull();
        }
    }

    @Test
    void identicalEventsWithinTheWindowGrowOneSeries() throws Exception {
        TestClock clock = new TestClock();
        RecordingSink sink = new RecordingSink();
        CountingRecorder rec = new CountingRecorder();
        try (EventReporter r = new EventReporter(sink, rec, clock, Duration.ofMinutes(10), 100)) {
            r.offer(report("web", "latest-tag"));
            r.offer(report("web", "latest-tag"));
            r.offer(report("web", "latest-tag"));
            r.offer(report("web", "run-as-root")); // other rules: another Event
            waitFor(() -> rec.count("posted") + rec.count("aggregated") == 4);
            assertThat(sink.created).hasSize(2);
            assertThat(sink.series).containsExactly(2, 3);

            clock.now = clock.now.plus(Duration.ofMinutes(11));
            r.offer(report("web", "latest-tag"));
            waitFor(() -> rec.count("posted") == 3);
            assertThat(sink.created).hasSize(3);
        }
    }

    /**
     * A reporter whose worker posts only when an offer wakes it (its period is one no test outlasts), returned once
     * that worker waits.
     */
    static EventReporter wokenOnly(RecordingSink sink, int queueSize) throws InterruptedException {
        EventReporter r = new EventReporter(sink, new CountingRecorder(), new TestClock(), Duration.ofMinutes(10),
                queueSize, Duration.ofHours(1));
        waitFor(r::waiting);
        return r;
    }

    @Test
    void aBatchOfWaitingEventsWakesTheWorkerAndFewerWait() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (EventReporter r = wokenOnly(sink, 1000)) {
            for (int i = 1; i < EventReporter.WAKE_BATCH; i++) {
                assertThat(r.offer(report("web-" + i, "latest-tag"))).isTrue();
            }
            Thread.sleep(300);
            assertThat(sink.created).as("fewer than a batch wait for the period").isEmpty();
            assertThat(r.pending()).isEqualTo(EventReporter.WAKE_BATCH - 1);
            // the batch's last wakes it, long before half of the 1,000-report queue is full: waiting reports are live
            // at every young collection
            r.offer(report("web-" + EventReporter.WAKE_BATCH, "latest-tag"));
            waitFor(() -> sink.created.size() == EventReporter.WAKE_BATCH);
            assertThat(r.pending()).isZero();
        }
    }

    @Test
    void aSmallQueueWakesTheWorkerWhenHalfFull() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (EventReporter r = wokenOnly(sink, 10)) {
            for (int i = 0; i < 4; i++) {
                r.offer(report("web-" + i, "latest-tag"));
            }
            Thread.sleep(300);
            assertThat(sink.created).isEmpty();
            r.offer(report("web-4", "latest-tag"));
            waitFor(() -> sink.created.size() == 5);
        }
    }

    @Test
    void aFullQueueDropsWithoutBlockingTheCaller() throws Exception {
        RecordingSink sink = new RecordingSink();
        sink.gate = new CountDownLatch(1); // the API server hangs
        CountingRecorder rec = new CountingRecorder();
        try (EventReporter r = new EventReporter(sink, rec, new TestClock(), Duration.ofMinutes(10), 5)) {
            long start = System.nanoTime();
            int accepted = 0;
            for (int i = 0; i < 50; i++) {
                if (r.offer(report("web-" + i, "latest-tag"))) {
                    accepted++;
                }
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMs).as("offering never waits for the API server").isLessThan(1000);
            // one is being posted (stuck), five wait in the queue
            assertThat(accepted).isBetween(5, 6);
            assertThat(rec.count("dropped")).isEqualTo(50 - accepted);
            sink.gate.countDown();
            int expected = accepted;
            waitFor(() -> rec.count("posted") == expected);
        }
    }

    @Test
    void aFailingSinkIsCountedAndTheNextOccurrenceCreatesAnew() throws Exception {
        CountingRecorder rec = new CountingRecorder();
        AtomicInteger calls = new AtomicInteger();
        EventSink failing = new EventSink() {
            @Override
            public String create(ViolationReport report, Instant now) {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("connection refused");
                }
                return "ok";
            }

            @Override
            public void addToSeries(String namespace, String eventName, int count, Instant now) {
            }
        };
        try (EventReporter r = new EventReporter(failing, rec, new TestClock(), Duration.ofMinutes(10), 10)) {
            r.offer(report("web", "latest-tag"));
            r.offer(report("web", "latest-tag"));
            waitFor(() -> rec.count("failed") == 1 && rec.count("posted") == 1);
        }
    }
}
