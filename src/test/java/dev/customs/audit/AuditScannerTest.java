package dev.customs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.WorkloadKind;
import dev.customs.image.ImageResolver;
import dev.customs.image.InMemoryImageInspector;
import dev.customs.policy.Policy;
import dev.customs.report.EventReporter;
import dev.customs.report.EventSink;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.report.ViolationReport;
import dev.customs.reports.ReportDocument;
import dev.customs.reports.ReportFormat;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

/**
 * The audit's run over a source and a store held in memory, nothing booted: which objects are evaluated, that reports
 * are written only when their content changes (also by a new leader), that reports of objects no longer evaluated are
 * deleted only after a complete run, and that the pace settings hold.
 */
class AuditScannerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ImageFacts GOOD = image("10001");

    /** A labelled image with an exec-form entrypoint, running as {@code user}. */
    private static ImageFacts image(String user) {
        return ImageFacts.Resolved.of(new ImageConfig(null, user, List.of("/app"), List.of(), List.of(),
                Map.of("org.opencontainers.image.title", "t", "org.opencontainers.image.source", "s",
                        "org.opencontainers.image.version", "v", "org.opencontainers.image.revision", "r"),
                List.of()));
    }

    /** Objects per kind, as an API server would list them; a kind can be made to fail (or a listing watched). */
    static class MemorySource implements ObjectSource {
        final Map<WorkloadKind, List<ObjectNode>> objects = new EnumMap<>(WorkloadKind.class);
        final Set<WorkloadKind> failing = new TreeSet<>();
        final AtomicInteger fetched = new AtomicInteger();

        MemorySource add(ObjectNode o) {
            objects.computeIfAbsent(WorkloadKind.byKind(o.get("kind").asText()).orElseThrow(), k -> new ArrayList<>())
                    .add(o);
            return this;
        }

        void remove(String name) {
            objects.values().forEach(l -> l.removeIf(o -> o.at("/metadata/name").asText().equals(name)));
        }

        @Override
        public void list(WorkloadKind kind, Sink sink) throws ListingFailed, InterruptedException {
            for (ObjectNode o : List.copyOf(objects.getOrDefault(kind, List.of()))) {
                if (sink.wants(o.get("metadata"))) {
                    fetched.incrementAndGet();
                    if (!sink.accept(o.deepCopy())) {
                        return;
                    }
                }
            }
            if (failing.contains(kind)) {
                throw new ListingFailed("listing " + kind.kind() + " failed: HTTP 500");
            }
        }
    }

    /** Reports by namespace/name and format, with every write and delete counted. */
    static final class MemoryStore implements ReportStore {
        final Map<String, ObjectNode> reports = new ConcurrentHashMap<>();
        final AtomicInteger applies = new AtomicInteger();
        final AtomicInteger deletes = new AtomicInteger();
        volatile int refuseWith;

        private static String key(ReportFormat f, String ns, String name) {
            return f.label() + ":" + ns + "/" + name;
        }

        @Override
        public void existing(ReportFormat format, Existing sink) throws StoreFailed {
            if (refuseWith != 0) {
                throw new StoreFailed(refuseWith, "HTTP " + refuseWith + ": the server could not find the resource");
            }
            new TreeMap<>(reports).forEach((k, r) -> {
                if (k.startsWith(format.label() + ":")) {
                    sink.report(r.at("/metadata/namespace").asText(), r.at("/metadata/name").asText(),
                            Long.parseUnsignedLong(r.at("/metadata/annotations")
                                    .get(ReportDocument.CONTENT_HASH_ANNOTATION).asText(), 16));
                }
            });
        }

        @Override
        public void apply(ReportFormat format, ObjectNode report) {
            applies.incrementAndGet();
            reports.put(key(format, report.at("/metadata/namespace").asText(), report.at("/metadata/name").asText()),
                    report);
        }

        @Override
        public void delete(ReportFormat format, String namespace, String name) {
            deletes.incrementAndGet();
            reports.remove(key(format, namespace, name));
        }

        ObjectNode about(String name) {
            return reports.values().stream().filter(r -> r.at("/scope/name").asText().equals(name)).findFirst()
                    .orElse(null);
        }
    }

    /** Events as the API would get them; a marker Event flushes the queue. */
    static final class Events implements EventSink {
        final List<String> created = new CopyOnWriteArrayList<>();

        @Override
        public String create(ViolationReport r, Instant now) {
            created.add(r.regarding().getKind() + "/" + r.regarding().getName());
            return "e" + created.size();
        }

        @Override
        public void addToSeries(String namespace, String eventName, int count, Instant now) {
        }
    }

    private final Events sink = new Events();
    private final EventReporter events = new EventReporter(sink, Recorder.NONE, Clock.systemUTC(), Duration.ZERO, 1000);
    private final AtomicInteger uids = new AtomicInteger();

    @AfterEach
    void stopEvents() {
        events.close();
    }

    /** The Events posted since the last call, waited for through a marker that follows them in the queue. */
    private List<String> eventsPosted() throws InterruptedException {
        String marker = "marker-" + uids.incrementAndGet();
        events.offer(new ViolationReport(new ObjectReferenceBuilder().withKind("Marker").withName(marker).build(), "x",
                "Audited", new TreeSet<>(), new TreeSet<>(), List.of()));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sink.created.contains("Marker/" + marker) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        List<String> out = new ArrayList<>(sink.created);
        sink.created.clear();
        out.remove("Marker/" + marker);
        out.removeIf(s -> s.startsWith("Marker/"));
        return out;
    }

    private AuditScanner scanner(MemorySource source, MemoryStore store, AuditScanner.Settings settings) {
        InMemoryImageInspector inspector = new InMemoryImageInspector(GOOD);
        inspector.put("registry.example/root:1.0", image("0"));
        return scanner(source, store, settings, inspector, Policy.enforceAll());
    }

    private AuditScanner scanner(MemorySource source, MemoryStore store, AuditScanner.Settings settings,
            InMemoryImageInspector inspector, Policy policy) {
        return new AuditScanner(source, store, JSON, new RuleEngine(RuleRegistry.defaults()), policy,
                new ImageResolver(inspector, Duration.ofSeconds(3)), new Reporter(Recorder.NONE, events, true),
                Clock.systemUTC(), settings, System::nanoTime, nanos -> {
                });
    }

    private static final AuditScanner.Settings OPENREPORTS = new AuditScanner.Settings(4, 0, 0,
            Duration.ofMinutes(5), 100, List.of(ReportFormat.OPENREPORTS));

    /** The object with a resourceVersion, as the API server returns it. */
    private static ObjectNode version(ObjectNode o, int resourceVersion) {
        ((ObjectNode) o.get("metadata")).put("resourceVersion", Integer.toString(resourceVersion));
        return o;
    }

    private AuditScanner scanner(MemorySource source, MemoryStore store) {
        return scanner(source, store, new AuditScanner.Settings(4, 0, 0, Duration.ofMinutes(5), 100,
                List.of(ReportFormat.OPENREPORTS)));
    }

    private ObjectNode object(String apiVersion, String kind, String namespace, String name, String image,
            ObjectNode owner) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode meta = o.putObject("metadata").put("name", name).put("namespace", namespace).put("uid",
                "uid-" + name + "-" + uids.incrementAndGet());
        if (owner != null) {
            meta.putArray("ownerReferences").add(owner);
        }
        ObjectNode spec = o.putObject("spec");
        if (kind.equals("CronJob")) {
            spec.put("schedule", "* * * * *");
            spec = spec.putObject("jobTemplate").putObject("spec");
        }
        ObjectNode pod = kind.equals("Pod") ? spec : spec.putObject("template").putObject("spec");
        ArrayNode cs = pod.putArray("containers");
        cs.addObject().put("name", "app").put("image", image).putArray("command").add("/app");
        return o;
    }

    private static ObjectNode owner(String apiVersion, String kind, String name) {
        ObjectNode r = JSON.createObjectNode();
        r.put("apiVersion", apiVersion).put("kind", kind).put("name", name).put("uid", "owner-" + name)
                .put("controller", true);
        return r;
    }

    @Test
    void workloadsAndUnownedPodsGetAReportAndWhatAControllerOwnsIsJudgedWithIt() throws Exception {
        MemorySource source = new MemorySource()
                .add(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:latest", null))
                .add(object("apps/v1", "ReplicaSet", "shop", "web-5d9f", "registry.example/web:latest",
                        owner("apps/v1", "Deployment", "web")))
                .add(object("v1", "Pod", "shop", "web-5d9f-x", "registry.example/web:latest",
                        owner("apps/v1", "ReplicaSet", "web-5d9f")))
                .add(object("batch/v1", "CronJob", "shop", "nightly", "registry.example/job:1.0", null))
                .add(object("batch/v1", "Job", "shop", "nightly-1", "registry.example/job:1.0",
                        owner("batch/v1", "CronJob", "nightly")))
                .add(object("v1", "Pod", "shop", "debug", "registry.example/root:1.0", null))
                // a ReplicaSet of an Argo Rollout: nothing Customs evaluates owns it, so it is evaluated itself
                .add(object("apps/v1", "ReplicaSet", "shop", "canary-7f", "registry.example/web:2.0",
                        owner("argoproj.io/v1alpha1", "Rollout", "canary")));
        MemoryStore store = new MemoryStore();

        AuditScanner.Result r = scanner(source, store).runOnce();

        assertThat(r.complete()).isTrue();
        assertThat(r.objects()).isEqualTo(4);
        assertThat(store.reports.values()).extracting(x -> x.at("/scope/kind").asText() + "/"
                + x.at("/scope/name").asText())
                .containsExactlyInAnyOrder("Deployment/web", "CronJob/nightly", "Pod/debug", "ReplicaSet/canary-7f");
        assertThat(store.about("web").at("/summary/fail").asInt()).isEqualTo(1);
        assertThat(store.about("web").at("/results/0/policy").asText()).isEqualTo("latest-tag");
        assertThat(store.about("debug").at("/results/0/policy").asText()).isEqualTo("run-as-root");
        assertThat(store.about("nightly").at("/summary/fail").asInt()).isZero();
        assertThat(r.reports()).containsEntry("created", 4).containsEntry("unchanged", 0);
        assertThat(r.violations()).containsOnlyKeys(new Recorder.AuditKey("latest-tag", "shop"),
                new Recorder.AuditKey("run-as-root", "shop"));
        assertThat(eventsPosted()).containsExactlyInAnyOrder("Deployment/web", "Pod/debug");
    }

    @Test
    void anUnchangedClusterIsNotWrittenAgainAndAFixIsOneUpdate() throws Exception {
        ObjectNode web = object("apps/v1", "Deployment", "shop", "web", "registry.example/web:latest", null);
        MemorySource source = new MemorySource().add(web)
                .add(object("apps/v1", "StatefulSet", "shop", "db", "registry.example/db:16", null));
        MemoryStore store = new MemoryStore();
        AuditScanner audit = scanner(source, store);
        audit.runOnce();
        assertThat(eventsPosted()).containsExactly("Deployment/web");
        int writes = store.applies.get();

        AuditScanner.Result again = audit.runOnce();
        assertThat(store.applies.get()).isEqualTo(writes);
        assertThat(again.reports()).containsEntry("unchanged", 2).containsEntry("updated", 0);
        assertThat(eventsPosted()).isEmpty();

        ((ObjectNode) web.at("/spec/template/spec/containers/0")).put("image", "registry.example/web:1.4.2");
        AuditScanner.Result fixed = audit.runOnce();
        assertThat(fixed.reports()).containsEntry("updated", 1).containsEntry("unchanged", 1);
        assertThat(store.about("web").at("/summary/fail").asInt()).isZero();
        // every rule passes that has something to check (image-size has no limit by default)
        assertThat(store.about("web").at("/summary/pass").asInt())
                .isEqualTo(RuleRegistry.defaults().all().stream().filter(dev.customs.rules.Rule::enabled).count());
        assertThat(eventsPosted()).isEmpty();
    }

    @Test
    void aNewLeaderRecognisesWhatThePreviousOneWroteAndPostsNothingAgain() throws Exception {
        MemorySource source = new MemorySource()
                .add(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:latest", null))
                .add(object("v1", "Pod", "ops", "debug", "registry.example/root:1.0", null));
        MemoryStore store = new MemoryStore();
        scanner(source, store).runOnce();
        assertThat(eventsPosted()).hasSize(2);
        int writes = store.applies.get();

        AuditScanner.Result takeover = scanner(source, store).runOnce();

        assertThat(store.applies.get()).isEqualTo(writes);
        assertThat(takeover.reports()).containsEntry("unchanged", 2);
        assertThat(eventsPosted()).isEmpty();
    }

    @Test
    void reportsOfObjectsNoLongerEvaluatedGoOnlyAfterACompleteRun() throws Exception {
        MemorySource source = new MemorySource()
                .add(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:1.0", null))
                .add(object("apps/v1", "Deployment", "shop", "old", "registry.example/old:1.0", null));
        MemoryStore store = new MemoryStore();
        AuditScanner audit = scanner(source, store);
        audit.runOnce();
        assertThat(store.reports).hasSize(2);

        source.remove("old");
        source.failing.add(WorkloadKind.POD);
        AuditScanner.Result partial = audit.runOnce();
        assertThat(partial.complete()).isFalse();
        assertThat(store.deletes.get()).isZero();
        assertThat(store.about("old")).isNotNull();

        source.failing.clear();
        AuditScanner.Result full = audit.runOnce();
        assertThat(full.complete()).isTrue();
        assertThat(full.reports()).containsEntry("deleted", 1);
        assertThat(store.about("old")).isNull();
        assertThat(store.about("web")).isNotNull();
    }

    @Test
    void withoutTheReportApiTheAuditStillCountsAndPostsEventsOnlyOnChange() throws Exception {
        MemorySource source = new MemorySource()
                .add(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:latest", null));
        MemoryStore store = new MemoryStore();
        store.refuseWith = 404;
        AuditScanner audit = scanner(source, store);

        AuditScanner.Result r = audit.runOnce();
        assertThat(r.objects()).isEqualTo(1);
        assertThat(store.applies.get()).isZero();
        assertThat(r.violations()).containsKey(new Recorder.AuditKey("latest-tag", "shop"));
        assertThat(eventsPosted()).containsExactly("Deployment/web");

        audit.runOnce();
        assertThat(eventsPosted()).isEmpty();
    }

    @Test
    void theScheduledAuditRunsAtTheLowestThreadPriority() throws Exception {
        // with the chart's -XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=19 that is nice 19: the audit
        // gets the CPU admission leaves
        CompletableFuture<Integer> priority = new CompletableFuture<>();
        MemorySource source = new MemorySource() {
            @Override
            public void list(WorkloadKind kind, Sink sink) throws ListingFailed, InterruptedException {
                priority.complete(Thread.currentThread().getPriority());
                super.list(kind, sink);
            }
        };
        AuditScanner audit = scanner(source, new MemoryStore());
        try {
            audit.schedule(Duration.ZERO, Duration.ofMinutes(5), () -> true);
            assertThat(priority.get(10, TimeUnit.SECONDS)).isEqualTo(Thread.MIN_PRIORITY);
        } finally {
            audit.stop();
        }
    }

    @Test
    void bothFormatsAreWrittenWhenAsked() {
        MemorySource source = new MemorySource()
                .add(object("apps/v1", "DaemonSet", "ops", "agent", "registry.example/agent:1.0", null));
        MemoryStore store = new MemoryStore();
        scanner(source, store, new AuditScanner.Settings(4, 0, 0, Duration.ofMinutes(5), 100,
                List.of(ReportFormat.OPENREPORTS, ReportFormat.WGPOLICYK8S))).runOnce();
        assertThat(store.reports.values()).extracting(x -> x.get("kind").asText())
                .containsExactlyInAnyOrder("Report", "PolicyReport");
    }

    @Test
    void aRunThatMustStopEndsIncompleteAndDeletesNothing() throws Exception {
        MemorySource source = new MemorySource();
        for (int i = 0; i < 50; i++) {
            source.add(object("apps/v1", "Deployment", "shop", "d" + i, "registry.example/web:1.0", null));
        }
        MemoryStore store = new MemoryStore();
        AuditScanner audit = scanner(source, store);
        audit.runOnce();
        source.remove("d0");

        AtomicInteger asked = new AtomicInteger();
        AuditScanner.Result r = audit.runOnce(() -> asked.incrementAndGet() < 10);
        assertThat(r.complete()).isFalse();
        assertThat(r.objects()).isLessThan(49);
        assertThat(store.deletes.get()).isZero();
    }

    @Test
    void objectsAndNewImagesArePaced() {
        MemorySource source = new MemorySource();
        for (int i = 0; i < 200; i++) {
            // 20 distinct images over 200 objects
            source.add(object("apps/v1", "Deployment", "shop", "d" + i, "registry.example/img" + i % 20 + ":1.0",
                    null));
        }
        AtomicLong clock = new AtomicLong();
        List<Long> sleeps = new CopyOnWriteArrayList<>();
        InMemoryImageInspector inspector = new InMemoryImageInspector(GOOD);
        AuditScanner audit = new AuditScanner(source, new MemoryStore(), JSON, new RuleEngine(RuleRegistry.defaults()),
                Policy.enforceAll(), new ImageResolver(inspector, Duration.ofSeconds(3)),
                new Reporter(Recorder.NONE, null, false), Clock.systemUTC(),
                new AuditScanner.Settings(4, 100, 5, Duration.ofMinutes(5), 100, List.of(ReportFormat.OPENREPORTS)),
                clock::get, nanos -> {
                    sleeps.add(nanos);
                    clock.addAndGet(nanos);
                });

        AuditScanner.Result r = audit.runOnce();

        assertThat(r.objects()).isEqualTo(200);
        // the first 20 objects each bring a new image, paced at 5/s (about 4 s); the other 180 only wait for the
        // object pace of 100/s (1.8 s)
        double seconds = clock.get() / 1e9;
        assertThat(seconds).isBetween(5.3, 6.0);

        // a second run within the image memory resolves no image as new: only the object pace is left
        long before = clock.get();
        audit.runOnce();
        assertThat((clock.get() - before) / 1e9).isBetween(1.8, 2.1);
    }

    @Test
    void underAConstantAdmissionStreamEveryStepWaitsItsCapAndTheRunStillEnds() {
        // a source that asks the API once per object, as ApiObjectSource does for a pod no controller owns
        List<ObjectNode> pods = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pods.add(object("v1", "Pod", "shop", "p" + i, "registry.example/img" + i % 4 + ":1.0", null));
        }
        ObjectSource source = (kind, sink) -> {
            if (kind != WorkloadKind.POD) {
                return;
            }
            sink.beforeRequest(); // the page
            for (ObjectNode p : pods) {
                if (sink.wants(p.get("metadata"))) {
                    sink.beforeRequest(); // the whole object
                    if (!sink.accept(p.deepCopy())) {
                        return;
                    }
                }
            }
        };
        AtomicLong clock = new AtomicLong();
        AuditScanner audit = new AuditScanner(source, new MemoryStore(), JSON, new RuleEngine(RuleRegistry.defaults()),
                Policy.enforceAll(), new ImageResolver(new InMemoryImageInspector(GOOD), Duration.ofSeconds(3)),
                new Reporter(Recorder.NONE, null, false), Clock.systemUTC(),
                new AuditScanner.Settings(4, 0, 0, Duration.ofMinutes(5), 100, List.of(ReportFormat.OPENREPORTS),
                        Duration.ofMillis(100)),
                () -> true, clock::get, clock::addAndGet);

        AuditScanner.Result r = audit.runOnce();

        assertThat(r.objects()).isEqualTo(20);
        assertThat(r.complete()).isTrue();
        // one page, 20 whole objects, 20 objects evaluated, 4 images new to the audit: each waited the whole cap
        assertThat(r.yields()).isEqualTo(1 + 20 + 20 + 4);
        assertThat(r.yielded()).isEqualTo(Duration.ofMillis(100 * 45));
        assertThat(clock.get()).isEqualTo(Duration.ofMillis(100 * 45).toNanos());
    }

    @Test
    void theIndexHoldsAHashPerReportIn16BytesOrSo() {
        LongHashMap m = new LongHashMap();
        for (int i = 0; i < 200_000; i++) {
            m.put(LongHashMap.key("ns-" + i % 1000, "customs-" + i), i);
        }
        assertThat(m.size()).isEqualTo(200_000);
        for (int i = 0; i < 200_000; i += 997) {
            assertThat(m.get(LongHashMap.key("ns-" + i % 1000, "customs-" + i), -1)).isEqualTo(i);
        }
        assertThat(m.containsKey(LongHashMap.key("ns-1", "customs-x"))).isFalse();
        assertThat(m.bytes()).isLessThanOrEqualTo(16L * 4 * 200_000);
    }

    @Test
    void anObjectWhoseInputsDidNotChangeIsCountedFromTheLastRunInsteadOfEvaluatedAgain() throws Exception {
        ObjectNode web = version(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:latest", null),
                7);
        // two containers on :latest: two findings of one rule, both counted again
        ((com.fasterxml.jackson.databind.node.ArrayNode) web.at("/spec/template/spec/containers")).addObject()
                .put("name", "side").put("image", "registry.example/side:latest").putArray("command").add("/side");
        MemorySource source = new MemorySource().add(web)
                .add(version(object("v1", "Pod", "ops", "debug", "registry.example/root:1.0", null), 9))
                .add(version(object("apps/v1", "StatefulSet", "ops", "db", "registry.example/db:16", null), 11));
        MemoryStore store = new MemoryStore();
        AuditScanner audit = scanner(source, store);
        AuditScanner.Result first = audit.runOnce();
        assertThat(first.reused()).isZero();
        assertThat(first.violations()).containsEntry(new Recorder.AuditKey("latest-tag", "shop"), 2)
                .containsEntry(new Recorder.AuditKey("run-as-root", "ops"), 1);
        assertThat(eventsPosted()).containsExactlyInAnyOrder("Deployment/web", "Pod/debug");
        int writes = store.applies.get();

        AuditScanner.Result second = audit.runOnce();

        assertThat(second.reused()).isEqualTo(3);
        assertThat(second.objects()).isEqualTo(first.objects());
        assertThat(second.violations()).isEqualTo(first.violations());
        assertThat(second.perNamespace()).isEqualTo(first.perNamespace());
        assertThat(second.reports()).containsEntry("unchanged", 3).containsEntry("updated", 0)
                .containsEntry("created", 0).containsEntry("deleted", 0);
        assertThat(store.applies.get()).isEqualTo(writes);
        assertThat(eventsPosted()).isEmpty();

        // a write to the object is a new resourceVersion: evaluated again, its report updated
        ((ObjectNode) web.at("/spec/template/spec/containers/0")).put("image", "registry.example/web:1.4.2");
        ((ObjectNode) web.at("/spec/template/spec/containers/1")).put("image", "registry.example/side:2.0");
        version(web, 12);
        AuditScanner.Result fixed = audit.runOnce();
        assertThat(fixed.reused()).isEqualTo(2);
        assertThat(fixed.reports()).containsEntry("updated", 1).containsEntry("unchanged", 2);
        assertThat(fixed.violations()).doesNotContainKey(new Recorder.AuditKey("latest-tag", "shop"))
                .containsEntry(new Recorder.AuditKey("run-as-root", "ops"), 1);
        assertThat(store.about("web").at("/summary/fail").asInt()).isZero();
    }

    @Test
    void whatAnImageNowSaysIsANewInputThoughTheObjectDidNotChange() throws Exception {
        InMemoryImageInspector inspector = new InMemoryImageInspector(GOOD);
        MemorySource source = new MemorySource()
                .add(version(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:1.0", null), 3));
        MemoryStore store = new MemoryStore();
        AuditScanner audit = scanner(source, store, OPENREPORTS, inspector, Policy.enforceAll());
        audit.runOnce();
        assertThat(store.about("web").at("/summary/fail").asInt()).isZero();
        assertThat(audit.runOnce().reused()).isEqualTo(1);

        // the tag now points at an image that runs as root
        inspector.put("registry.example/web:1.0", image("0"));
        AuditScanner.Result r = audit.runOnce();

        assertThat(r.reused()).isZero();
        assertThat(r.reports()).containsEntry("updated", 1);
        assertThat(r.violations()).containsEntry(new Recorder.AuditKey("run-as-root", "shop"), 1);
        assertThat(store.about("web").at("/results/0/policy").asText()).isEqualTo("run-as-root");
        assertThat(eventsPosted()).containsExactly("Deployment/web");
    }

    @Test
    void aNamespaceLabelThatChangesAnActionIsANewInput() throws Exception {
        Map<String, Map<String, String>> labels = new ConcurrentHashMap<>();
        Policy policy = new Policy(Map.of(), dev.customs.policy.OnError.WARN, List.of(),
                ns -> labels.getOrDefault(ns, Map.of()), Clock.systemUTC(), e -> {
                });
        MemorySource source = new MemorySource().add(
                version(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:latest", null), 3));
        MemoryStore store = new MemoryStore();
        InMemoryImageInspector inspector = new InMemoryImageInspector(GOOD);
        AuditScanner audit = scanner(source, store, OPENREPORTS, inspector, policy);
        assertThat(audit.runOnce().violations()).containsKey(new Recorder.AuditKey("latest-tag", "shop"));

        labels.put("shop", Map.of("customs.dev/rule.latest-tag", "off"));
        AuditScanner.Result r = audit.runOnce();

        assertThat(r.reused()).isZero();
        assertThat(r.violations()).isEmpty();
        assertThat(r.reports()).containsEntry("updated", 1);
        assertThat(store.about("web").at("/summary/fail").asInt()).isZero();
    }

    @Test
    void aStoredReportThatNoLongerHoldsWhatTheLastRunWroteIsEvaluatedAndWrittenAgain() throws Exception {
        MemorySource source = new MemorySource()
                .add(version(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:latest", null), 3))
                .add(version(object("apps/v1", "Deployment", "shop", "api", "registry.example/api:1.0", null), 4));
        MemoryStore store = new MemoryStore();
        AuditScanner audit = scanner(source, store);
        audit.runOnce();
        eventsPosted();

        // someone deleted one report: the next run must not take it for unchanged
        String webReport = store.reports.entrySet().stream()
                .filter(e -> e.getValue().at("/scope/name").asText().equals("web")).findFirst().orElseThrow()
                .getKey();
        store.reports.remove(webReport);
        AuditScanner.Result r = audit.runOnce();

        assertThat(r.reused()).isEqualTo(1);
        assertThat(r.reports()).containsEntry("created", 1).containsEntry("unchanged", 1);
        assertThat(store.about("web").at("/results/0/policy").asText()).isEqualTo("latest-tag");
    }

    @Test
    void objectsWithoutAResourceVersionAreAlwaysEvaluated() {
        MemorySource source = new MemorySource()
                .add(object("apps/v1", "Deployment", "shop", "web", "registry.example/web:latest", null));
        AuditScanner audit = scanner(source, new MemoryStore());
        audit.runOnce();
        assertThat(audit.runOnce().reused()).isZero();
    }

    @Test
    void findingCountsPackSixBitsPerRuleAndRefuseWhatDoesNotFit() {
        List<dev.customs.policy.Decision.Finding> findings = new ArrayList<>();
        for (int i = 0; i < 63; i++) {
            findings.add(finding("latest-tag"));
        }
        findings.add(finding("base-image"));
        findings.add(finding(dev.customs.rules.ImageUnverified.ID));
        long packed = FindingCounts.pack(new dev.customs.policy.Decision(findings));
        Map<String, Integer> counts = new TreeMap<>();
        FindingCounts.unpack(packed, counts::put);
        assertThat(counts).containsExactly(Map.entry("base-image", 1), Map.entry("latest-tag", 63));

        findings.add(finding("latest-tag"));
        assertThat(FindingCounts.pack(new dev.customs.policy.Decision(findings))).isEqualTo(FindingCounts.UNPACKABLE);
    }

    private static dev.customs.policy.Decision.Finding finding(String rule) {
        return new dev.customs.policy.Decision.Finding(rule, "app", "registry.example/web:latest", "image", "m",
                dev.customs.policy.Action.ENFORCE, null);
    }

    @Test
    void theInputDigestTellsApartWhatDiffersAndAgreesOnWhatDoesNot() {
        assertThat(new Inputs().add("12").add("3").value()).isNotEqualTo(new Inputs().add("1").add("23").value());
        assertThat(new Inputs().add("\u0100").value()).isNotEqualTo(new Inputs().add("\u0001").value());
        assertThat(new Inputs().add((String) null).value()).isNotEqualTo(new Inputs().add("").value());
        assertThat(new Inputs().add("uid").add(7).value()).isEqualTo(new Inputs().add("uid").add(7).value());
        assertThat(new Inputs().value()).isNotZero();
    }

    @Test
    void fromTheThirdRunOnTheIndexesAreReusedNotMadeAgain() {
        MemorySource source = new MemorySource();
        for (int i = 0; i < 100; i++) {
            source.add(version(object("apps/v1", "Deployment", "shop", "d" + i, "registry.example/web:1.0", null), i));
        }
        MemoryStore store = new MemoryStore();
        AuditScanner audit = scanner(source, store, new AuditScanner.Settings(4, 0, 0, Duration.ofMinutes(5), 100,
                List.of(ReportFormat.OPENREPORTS, ReportFormat.WGPOLICYK8S)));
        audit.runOnce();
        audit.runOnce();
        int made = audit.mapsCreated;
        source.failing.add(WorkloadKind.POD);
        assertThat(audit.runOnce().complete()).isFalse();
        source.failing.clear();
        store.refuseWith = 500;
        audit.runOnce();
        store.refuseWith = 0;
        AuditScanner.Result r = audit.runOnce();

        assertThat(audit.mapsCreated).isEqualTo(made);
        assertThat(r.objects()).isEqualTo(100);
        assertThat(r.reports()).containsEntry("unchanged", 200);
    }

    @Test
    void namespacesThatShareAPolicyShareItAndOneWithItsOwnKeepsIt() {
        Map<String, Map<String, String>> labels = Map.of("quiet", Map.of("customs.dev/rule.latest-tag", "off"));
        Policy policy = new Policy(Map.of(), dev.customs.policy.OnError.WARN, List.of(),
                ns -> labels.getOrDefault(ns, Map.of()), Clock.systemUTC(), e -> {
                });
        MemorySource source = new MemorySource();
        for (String ns : List.of("a", "quiet", "b")) {
            source.add(version(object("apps/v1", "Deployment", ns, "web", "registry.example/web:latest", null), 1));
        }
        AuditScanner.Result r = scanner(source, new MemoryStore(), OPENREPORTS, new InMemoryImageInspector(GOOD),
                policy).runOnce();

        assertThat(r.violations()).containsOnlyKeys(new Recorder.AuditKey("latest-tag", "a"),
                new Recorder.AuditKey("latest-tag", "b"));
    }
}
