package dev.customs.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.customs.admission.BadAdmissionRequest;
import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import dev.customs.image.ImageResolver;
import dev.customs.policy.Action;
import dev.customs.policy.Decision;
import dev.customs.policy.Policy;
import dev.customs.policy.Requester;
import dev.customs.report.Recorder;
import dev.customs.report.Regarding;
import dev.customs.report.Reporter;
import dev.customs.reports.ReportDocument;
import dev.customs.reports.ReportFormat;
import dev.customs.reports.Scope;
import dev.customs.reports.WorkloadReport;
import dev.customs.rules.ContainerView;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.ImageUnverified;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;

/**
 * The background audit: what would break. Every interval it reads the workloads and the pods that no evaluated
 * controller owns, a page at a time from an {@link ObjectSource}, evaluates each with the same engine, policy and image
 * cache as admission, writes one report per object to a {@link ReportStore}, and publishes counts as gauges.
 *
 * <p>
 * <b>Memory</b> is bounded by a page and a few objects in flight, plus, per evaluated object, 16 bytes for its report's
 * content hash, which decides what to write, and 32 for what its last evaluation depended on, in maps kept for the
 * run under way and the last one and reused from run to run: nothing of the cluster is cached between runs. <b>Writes</b>
 * happen only when a report's
 * content changed; the hashes are read back from the reports themselves at the start of every run, so a new leader
 * recognises what the previous one wrote and neither rewrites reports nor posts their Events again. Reports of objects
 * that were not seen in a complete run (no longer evaluated) are deleted; the garbage collector deletes those of
 * deleted objects through their owner reference.
 *
 * <p>
 * <b>An unchanged object is not evaluated again.</b> What an object's report depends on (its uid and resourceVersion,
 * the facts of its images, the actions in its namespace and the live exemptions) is digested into 64 bits after its
 * images are resolved. When the digest equals the last complete run's and every stored report still has the content
 * that run computed, the object's findings are counted from that run and nothing is evaluated, built or hashed. A
 * re-tagged image, a namespace label, an expired exemption or any write to the object is a new digest.
 *
 * <p>
 * <b>Load</b> is paced: at most {@code objects-per-second} objects are evaluated, at most {@code concurrency} images
 * are resolved at once, and an image the audit has not resolved within {@code image-memory} (usually tag-ttl, after
 * which a resolution may reach the registry) waits for one of {@code images-per-second}. Admission shares the image
 * cache, never waits for the audit, and the audit runs on its own thread.
 *
 * <p>
 * <b>Admission goes first.</b> Every step (a request to the API, an object, an image new to the audit) first waits
 * while admission requests are in flight, for at most {@code max-yield} a step, so the audit starts no new work (evaluation,
 * image resolution, report writes) while reviews are being answered; the cap keeps the audit moving
 * under a constant admission stream (one step per cap at least). What it yielded is counted
 * ({@code customs_audit_yielded_seconds_total}) and logged with each run.
 */
public final class AuditScanner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AuditScanner.class);

    /** The kinds the audit lists, owners before what they own (the order does not change the outcome). */
    static final List<WorkloadKind> KINDS = List.of(WorkloadKind.CRON_JOB, WorkloadKind.DEPLOYMENT,
            WorkloadKind.STATEFUL_SET, WorkloadKind.DAEMON_SET, WorkloadKind.REPLICATION_CONTROLLER,
            WorkloadKind.REPLICA_SET, WorkloadKind.JOB, WorkloadKind.POD);

    /** After this many failed writes in a row a run stops writing that format: the API is likely down. */
    static final int MAX_CONSECUTIVE_FAILURES = 10;

    /**
     * How the audit runs.
     *
     * @param concurrency images resolved at once
     * @param objectsPerSecond objects evaluated per second at most; 0 for no limit
     * @param imagesPerSecond images not resolved recently that may be resolved per second; 0 for no limit
     * @param imageMemory how long an image the audit resolved counts as recently resolved
     * @param maxResults the most results one report keeps
     * @param formats the report APIs to write; empty to write none
     * @param maxYield the longest one step (an object, a new image) waits while admission requests are in flight;
     *        zero never waits for admission
     */
    public record Settings(int concurrency, double objectsPerSecond, double imagesPerSecond, Duration imageMemory,
            int maxResults, List<ReportFormat> formats, Duration maxYield) {
        public Settings {
            concurrency = Math.max(1, concurrency);
            maxResults = Math.max(1, maxResults);
            formats = List.copyOf(new LinkedHashSet<>(formats));
            maxYield = maxYield == null || maxYield.isNegative() ? Duration.ZERO : maxYield;
        }

        /** Settings that never wait for admission. */
        public Settings(int concurrency, double objectsPerSecond, double imagesPerSecond, Duration imageMemory,
                int maxResults, List<ReportFormat> formats) {
            this(concurrency, objectsPerSecond, imagesPerSecond, imageMemory, maxResults, formats, Duration.ZERO);
        }
    }

    /**
     * What one run found.
     *
     * @param objects the objects evaluated
     * @param violations acted-on findings per rule and namespace
     * @param perNamespace objects evaluated per namespace
     * @param complete whether every kind was listed to its end (only then are unseen reports deleted)
     * @param reports report writes by outcome: created, updated, unchanged, deleted, failed
     * @param yielded how long the run waited for admission requests in flight
     * @param yields the steps that found admission busy and waited for it
     * @param reused the objects whose inputs had not changed since the last complete run, counted from it instead of
     *        evaluated again
     */
    public record Result(int objects, Map<Recorder.AuditKey, Integer> violations, Map<String, Integer> perNamespace,
            boolean complete, Map<String, Integer> reports, Duration yielded, long yields, int reused) {
    }

    private final ObjectSource source;
    private final ReportStore store;
    private final ObjectMapper mapper;
    private final PodViewMapper views;
    private final RuleEngine engine;
    private final Policy policy;
    private final ImageResolver images;
    private final Reporter reporter;
    private final Clock clock;
    private final Settings settings;
    private final Pacer objectPacer;
    private final Pacer imagePacer;
    /** Paces nothing, yields before each request to the API: a page of a listing, one whole object. */
    private final Pacer requestPacer;
    private final Cache<String, Boolean> resolvedImages;
    /** The content hashes the last run computed: what changed, when no store holds the reports. */
    private LongHashMap lastRun;
    /** Per report key, the digest of what the last complete run's evaluation depended on ({@link Inputs}). */
    private LongHashMap lastInputs;
    /** Per report key, the last complete run's acted-on findings per rule ({@link FindingCounts}). */
    private LongHashMap lastCounts;
    /**
     * Maps no longer needed, cleared and reused by the next run: at a steady cluster size a run allocates no new
     * index, so the few megabytes of each are not promoted again every run, filling the old generation (a full
     * collection stops admission).
     */
    private final ArrayDeque<LongHashMap> spares = new ArrayDeque<>();
    /** Maps made since this scanner was; for tests. */
    int mapsCreated;
    private final Map<ReportFormat, String> unavailable = new EnumMap<>(ReportFormat.class);
    /** Held for the length of a run; {@code this} guards only the scheduler, so closing never waits for a run. */
    private final Object running = new Object();
    private ScheduledExecutorService scheduler;
    private volatile boolean closed;

    /**
     * @param store where reports go, or null when reports are off
     * @param admissionBusy whether admission requests are in flight now: the audit's steps wait while it holds, each
     *        for at most {@link Settings#maxYield()}
     */
    public AuditScanner(ObjectSource source, ReportStore store, ObjectMapper mapper, RuleEngine engine, Policy policy,
            ImageResolver images, Reporter reporter, Clock clock, Settings settings, BooleanSupplier admissionBusy) {
        this(source, store, mapper, engine, policy, images, reporter, clock, settings, admissionBusy,
                System::nanoTime, Pacer.THREAD_SLEEP);
    }

    AuditScanner(ObjectSource source, ReportStore store, ObjectMapper mapper, RuleEngine engine, Policy policy,
            ImageResolver images, Reporter reporter, Clock clock, Settings settings,
            java.util.function.LongSupplier nanoTime, Pacer.Sleeper sleeper) {
        this(source, store, mapper, engine, policy, images, reporter, clock, settings, () -> false, nanoTime,
                sleeper);
    }

    AuditScanner(ObjectSource source, ReportStore store, ObjectMapper mapper, RuleEngine engine, Policy policy,
            ImageResolver images, Reporter reporter, Clock clock, Settings settings, BooleanSupplier admissionBusy,
            java.util.function.LongSupplier nanoTime, Pacer.Sleeper sleeper) {
        this.source = source;
        this.store = store;
        this.mapper = mapper;
        this.views = new PodViewMapper(mapper);
        this.engine = engine;
        this.policy = policy;
        this.images = images;
        this.reporter = reporter;
        this.clock = clock;
        this.settings = settings;
        long maxYield = settings.maxYield().toNanos();
        java.util.function.LongConsumer onYield = n -> reporter.recorder().auditYielded(Duration.ofNanos(n));
        this.objectPacer = new Pacer(settings.objectsPerSecond(), admissionBusy, maxYield, onYield, nanoTime,
                sleeper);
        this.imagePacer = new Pacer(settings.imagesPerSecond(), admissionBusy, maxYield, onYield, nanoTime, sleeper);
        this.requestPacer = new Pacer(0, admissionBusy, maxYield, onYield, nanoTime, sleeper);
        this.resolvedImages = Caffeine.newBuilder().maximumSize(100_000)
                .expireAfterWrite(settings.imageMemory().isZero() ? Duration.ofNanos(1) : settings.imageMemory())
                .build();
    }

    /**
     * Runs the audit every {@code interval} on its own thread, the first time after {@code initialDelay}, until
     * {@link #stop()}; a run waits until {@code ready} holds (namespace labels known, since they decide actions). Called
     * when this replica becomes the leader.
     */
    public synchronized void schedule(Duration initialDelay, Duration interval, BooleanSupplier ready) {
        if (scheduler != null || closed) {
            return;
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "customs-audit");
            t.setDaemon(true);
            // nice 19 with the chart's -XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=19: the audit takes
            // the CPU that admission leaves
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        scheduler = s;
        BooleanSupplier current = () -> !closed && !s.isShutdown() && !Thread.currentThread().isInterrupted();
        s.scheduleWithFixedDelay(() -> {
            try {
                while (!ready.getAsBoolean()) {
                    if (!current.getAsBoolean()) {
                        return;
                    }
                    Thread.sleep(1000);
                }
                runOnce(current);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warnf("audit run failed: %s", e.toString());
                LOG.debug("audit run failure", e);
            }
        }, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the schedule, ends a run in progress (as incomplete: it deletes nothing), and withdraws the published
     * gauges: a replica that no longer runs the audit must not keep exporting the figures of its last run beside the
     * new leader's. Called when this replica stops being the leader; {@link #schedule} may follow again.
     */
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
        reporter.recorder().auditStopped();
    }

    /** Evaluates everything once, to the end. Blocks the calling thread. */
    public Result runOnce() {
        return runOnce(() -> true);
    }

    /**
     * Evaluates everything once, writes what changed and publishes the gauges. Blocks the calling thread.
     *
     * @param keepGoing asked before every object; false ends the run early, as incomplete (leadership lost, closing)
     */
    public Result runOnce(BooleanSupplier keepGoing) {
        synchronized (running) {
            return run(keepGoing);
        }
    }

    private Result run(BooleanSupplier keepGoing) {
        long start = System.nanoTime();
        long yieldedBefore = yieldedNanos();
        long yieldsBefore = yields();
        Run run = new Run(keepGoing);
        try {
            run.loadExisting();
            for (WorkloadKind kind : KINDS) {
                if (!run.going()) {
                    break;
                }
                try {
                    source.list(kind, run);
                } catch (ObjectSource.ListingFailed e) {
                    run.complete = false;
                    LOG.warnf("audit kind=%s: %s; this run leaves stale reports in place", kind.kind(),
                            e.getMessage());
                }
            }
            run.drain();
            if (run.complete) {
                run.deleteUnseen();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.complete = false;
            run.stopped = true;
        }
        run.going(); // a run that lost its leadership at the very end publishes nothing either
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Duration yielded = Duration.ofNanos(yieldedNanos() - yieldedBefore);
        long yields = yields() - yieldsBefore;
        if (run.complete) {
            spare(lastRun, lastInputs, lastCounts);
            lastRun = run.computed;
            lastInputs = run.inputs;
            lastCounts = run.counts;
        } else {
            spare(run.computed, run.inputs, run.counts);
        }
        run.existing.values().forEach(this::spare);
        if (!run.stopped) {
            // a run ended because this replica stopped leading publishes nothing: the new leader does
            Recorder recorder = reporter.recorder();
            recorder.auditRun(run.violations, run.perNamespace, clock.instant());
            recorder.auditDuration(took);
        }
        LOG.infof("audit objects=%d violations=%d reports=%s complete=%s took=%d ms yielded=%d ms yields=%d "
                + "unchanged-inputs=%d", run.objects, run.violations.values().stream().mapToInt(Integer::intValue).sum(),
                run.reports, run.complete, took.toMillis(), yielded.toMillis(), yields, run.reused);
        return new Result(run.objects, Map.copyOf(run.violations), Map.copyOf(run.perNamespace), run.complete,
                Map.copyOf(run.reports), yielded, yields, run.reused);
    }

    private void spare(LongHashMap... maps) {
        for (LongHashMap m : maps) {
            if (m != null) {
                spares.add(m);
            }
        }
    }

    /** An empty map: a spare one, cleared, or a new one sized for the last run. */
    private LongHashMap emptyMap() {
        LongHashMap m = spares.poll();
        if (m == null) {
            mapsCreated++;
            return new LongHashMap(lastRun == null ? 1024 : lastRun.size());
        }
        m.clear();
        return m;
    }

    private long yieldedNanos() {
        return objectPacer.yieldedNanos() + imagePacer.yieldedNanos() + requestPacer.yieldedNanos();
    }

    private long yields() {
        return objectPacer.yields() + imagePacer.yields() + requestPacer.yields();
    }

    /** True when an object of this metadata is evaluated: no controller of an evaluated kind owns it. */
    static boolean evaluated(JsonNode metadata) {
        for (JsonNode ref : metadata.path("ownerReferences")) {
            if (!ref.path("controller").asBoolean(false)) {
                continue;
            }
            String apiVersion = ref.path("apiVersion").asText("");
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            if (WorkloadKind.of(group, ref.path("kind").asText("")).isPresent()) {
                return false;
            }
        }
        return true;
    }

    /** One object on its way: read, its images being resolved. */
    private record Pending(JsonNode object, PodView view, NamespacePolicy policy,
            CompletableFuture<ImageLookup> lookup) {
    }

    /**
     * The policy in one namespace for the length of a run.
     *
     * @param active the rules evaluated there
     * @param actions every rule evaluated there with its action, in report order
     * @param digest the action of every rule there, digested for {@link Inputs}
     */
    record NamespacePolicy(Predicate<String> active, Map<String, Action> actions, long digest) {
    }

    /** The state of one run. */
    private final class Run implements ObjectSource.Sink {

        final BooleanSupplier keepGoing;
        final ArrayDeque<Pending> window = new ArrayDeque<>();
        final Map<ReportFormat, LongHashMap> existing = new EnumMap<>(ReportFormat.class);
        final Map<ReportFormat, Integer> failuresInARow = new EnumMap<>(ReportFormat.class);
        final LongHashMap computed = emptyMap();
        final LongHashMap inputs = emptyMap();
        final LongHashMap counts = emptyMap();
        final Map<String, NamespacePolicy> namespaces = new HashMap<>();
        /** One instance per distinct policy: namespaces (up to 10,000 in a cluster) mostly share theirs. */
        final Map<Long, NamespacePolicy> distinctPolicies = new HashMap<>();
        /** The live exemptions and what else every object's decision depends on, digested once a run. */
        final long runDigest;
        final Map<Recorder.AuditKey, Integer> violations = new HashMap<>();
        final Map<String, Integer> perNamespace = new HashMap<>();
        final Map<String, Integer> reports = new LinkedHashMap<>();
        final Instant now = clock.instant();
        int objects;
        int reused;
        boolean complete = true;
        boolean stopped;

        Run(BooleanSupplier keepGoing) {
            this.keepGoing = keepGoing;
            Inputs d = new Inputs().add(policy.onError().name()).add(settings.maxResults());
            for (var e : policy.liveExemptions()) {
                d.add(e.name());
            }
            this.runDigest = d.value();
            for (String r : List.of("created", "updated", "unchanged", "deleted", "failed")) {
                reports.put(r, 0);
            }
        }

        boolean going() {
            if (!stopped && !keepGoing.getAsBoolean()) {
                stopped = true;
                complete = false;
            }
            return !stopped;
        }

        /** Reads the content hashes of the reports Customs wrote; a format whose API is missing is skipped. */
        void loadExisting() throws InterruptedException {
            if (store == null) {
                return;
            }
            for (ReportFormat f : settings.formats()) {
                LongHashMap index = emptyMap();
                try {
                    store.existing(f, (ns, name, hash) -> index.put(LongHashMap.key(ns, name), hash));
                    existing.put(f, index);
                    if (unavailable.remove(f) != null) {
                        LOG.infof("audit: %s reports are available again", f.kind());
                    }
                } catch (ReportStore.StoreFailed e) {
                    spares.add(index);
                    String why = e.getMessage();
                    if (!why.equals(unavailable.put(f, why))) {
                        LOG.warnf("audit: %s (%s) cannot be listed, so none are written: %s%s", f.kind(),
                                f.apiVersion(), why, e.code() == 404
                                        ? " (install the CRDs, e.g. with the chart's reports.installCRDs=true)"
                                        : e.code() == 403 ? " (the chart's RBAC grants it when reports are enabled)" : "");
                    }
                }
            }
        }

        @Override
        public void beforeRequest() throws InterruptedException {
            requestPacer.acquire();
        }

        @Override
        public boolean wants(JsonNode metadata) {
            return evaluated(metadata);
        }

        @Override
        public boolean accept(JsonNode object) throws InterruptedException {
            if (!going()) {
                return false;
            }
            objectPacer.acquire();
            JsonNode meta = object.path("metadata");
            String namespace = meta.path("namespace").asText("");
            String name = meta.path("name").asText("");
            WorkloadKind kind = WorkloadKind.byKind(object.path("kind").asText("")).orElse(null);
            if (kind == null) {
                return true;
            }
            PodView view;
            try {
                view = views.toView(kind, object, namespace, name);
            } catch (BadAdmissionRequest e) {
                LOG.debugf("audit skipped kind=%s namespace=%s name=%s: %s", kind.kind(), namespace, name,
                        e.getMessage());
                return true;
            }
            NamespacePolicy ns = namespaces.computeIfAbsent(namespace, this::namespacePolicy);
            CompletableFuture<ImageLookup> lookup = engine.needsImages(ns.active()) ? resolve(view)
                    : CompletableFuture.completedFuture(ImageLookup.NONE);
            window.add(new Pending(object, view, ns, lookup));
            if (window.size() >= settings.concurrency()) {
                finish(window.poll());
            }
            return true;
        }

        /** Resolves the view's images, waiting for the image pace for each one not resolved recently. */
        private CompletableFuture<ImageLookup> resolve(PodView view) throws InterruptedException {
            for (ContainerView c : view.containers()) {
                String image = c.image() == null ? "" : c.image();
                if (!image.isEmpty() && resolvedImages.getIfPresent(image) == null) {
                    imagePacer.acquire();
                    resolvedImages.put(image, Boolean.TRUE);
                }
            }
            return images.resolve(view);
        }

        void drain() throws InterruptedException {
            while (!window.isEmpty()) {
                finish(window.poll());
            }
        }

        private NamespacePolicy namespacePolicy(String namespace) {
            List<Action> all = new ArrayList<>(RuleRegistry.IDS.size());
            Inputs d = new Inputs();
            for (String id : RuleRegistry.IDS) {
                Action a = policy.actionFor(id, namespace);
                all.add(a);
                d.add(a.ordinal());
            }
            return distinctPolicies.computeIfAbsent(d.value(), digest -> {
                Set<String> active = new HashSet<>();
                Map<String, Action> actions = new LinkedHashMap<>();
                for (int i = 0; i < all.size(); i++) {
                    String id = RuleRegistry.IDS.get(i);
                    if (all.get(i) != Action.OFF) {
                        active.add(id);
                        if (engine.evaluates(id)) {
                            actions.put(id, all.get(i));
                        }
                    }
                }
                return new NamespacePolicy(active::contains, actions, digest);
            });
        }

        private void finish(Pending p) throws InterruptedException {
            PodView view = p.view();
            String namespace = view.namespace();
            ImageLookup lookup = p.lookup().join();
            JsonNode meta = p.object().path("metadata");
            String uid = meta.path("uid").asText("");
            String apiVersion = p.object().path("apiVersion").asText("");
            String resourceVersion = meta.path("resourceVersion").asText("");
            Scope scope = uid.isEmpty() ? null : new Scope(apiVersion, view.kind(), namespace, view.name(), uid);
            long key = scope == null ? 0 : LongHashMap.key(namespace, scope.reportName());
            // without a resourceVersion a change to the object cannot be told: it is always evaluated
            long digest = scope == null || resourceVersion.isEmpty() ? 0
                    : new Inputs().add(runDigest).add(p.policy().digest()).add(uid).add(resourceVersion)
                            .add(apiVersion).add(view.kind()).add(view, lookup).value();
            if (digest != 0 && unchanged(key, digest, namespace)) {
                return;
            }
            Evaluation evaluation = engine.evaluate(view, lookup, p.policy().active());
            Decision decision = policy.decide(evaluation, Requester.namespace(namespace));
            objects++;
            perNamespace.merge(namespace, 1, Integer::sum);
            for (Decision.Finding f : decision.effective()) {
                if (!f.rule().equals(ImageUnverified.ID)) {
                    violations.merge(new Recorder.AuditKey(f.rule(), namespace), 1, Integer::sum);
                }
            }
            if (scope == null) {
                return;
            }
            WorkloadReport report = WorkloadReport.build(scope, evaluation, decision, p.policy().actions(),
                    settings.maxResults());
            computed.put(key, report.contentHash());
            long packed = FindingCounts.pack(decision);
            if (digest != 0 && packed != FindingCounts.UNPACKABLE) {
                inputs.put(key, digest);
                counts.put(key, packed);
            }

            LongHashMap before = existing.isEmpty() ? lastRun : existing.values().iterator().next();
            boolean changed = before == null || before.get(key, 0) != report.contentHash();
            for (Map.Entry<ReportFormat, LongHashMap> e : existing.entrySet()) {
                write(e.getKey(), e.getValue(), key, report);
            }
            if (changed && !decision.effective().isEmpty()) {
                JsonNode object = p.object();
                reporter.audited(decision, namespace,
                        () -> Regarding.of(object, object.path("apiVersion").asText(""), view.kind(), namespace));
            }
        }

        /**
         * When the object's inputs are those of the last complete run and every stored report has the content that
         * run computed, counts the object from that run (nothing to write, no Event) and returns true.
         */
        private boolean unchanged(long key, long digest, String namespace) {
            if (lastInputs == null || lastInputs.get(key, 0) != digest || !lastCounts.containsKey(key)) {
                return false;
            }
            long hash = lastRun.get(key, 0);
            for (LongHashMap index : existing.values()) {
                if (!index.containsKey(key) || index.get(key, 0) != hash) {
                    return false;
                }
            }
            long packed = lastCounts.get(key, 0);
            objects++;
            reused++;
            perNamespace.merge(namespace, 1, Integer::sum);
            FindingCounts.unpack(packed, (rule, n) -> violations.merge(new Recorder.AuditKey(rule, namespace), n,
                    Integer::sum));
            computed.put(key, hash);
            inputs.put(key, digest);
            counts.put(key, packed);
            for (ReportFormat f : existing.keySet()) {
                if (failuresInARow.getOrDefault(f, 0) < MAX_CONSECUTIVE_FAILURES) {
                    reports.merge("unchanged", 1, Integer::sum);
                    reporter.recorder().auditReport("unchanged");
                }
            }
            return true;
        }

        private void write(ReportFormat format, LongHashMap index, long key, WorkloadReport report)
                throws InterruptedException {
            if (failuresInARow.getOrDefault(format, 0) >= MAX_CONSECUTIVE_FAILURES) {
                return;
            }
            long previous = index.get(key, 0);
            if (previous == report.contentHash()) {
                reports.merge("unchanged", 1, Integer::sum);
                reporter.recorder().auditReport("unchanged");
                return;
            }
            String outcome = index.containsKey(key) ? "updated" : "created";
            try {
                store.apply(format, ReportDocument.render(format, report, now, mapper));
                failuresInARow.put(format, 0);
            } catch (ReportStore.StoreFailed e) {
                outcome = "failed";
                int n = failuresInARow.merge(format, 1, Integer::sum);
                Scope s = report.scope();
                LOG.debugf("audit could not write the %s of kind=%s namespace=%s name=%s: %s", format.kind(),
                        s.kind(), s.namespace(), s.name(), e.getMessage());
                if (n == MAX_CONSECUTIVE_FAILURES) {
                    LOG.warnf("audit: %d %s writes in a row failed (last: %s); none more this run", n, format.kind(),
                            e.getMessage());
                }
            }
            reports.merge(outcome, 1, Integer::sum);
            reporter.recorder().auditReport(outcome);
        }

        /** Deletes Customs' reports whose object this complete run did not evaluate. */
        void deleteUnseen() throws InterruptedException {
            for (ReportFormat f : existing.keySet()) {
                if (failuresInARow.getOrDefault(f, 0) >= MAX_CONSECUTIVE_FAILURES) {
                    continue;
                }
                Set<String> failed = new LinkedHashSet<>();
                try {
                    store.existing(f, (ns, name, hash) -> {
                        if (computed.containsKey(LongHashMap.key(ns, name))) {
                            return;
                        }
                        try {
                            store.delete(f, ns, name);
                            reports.merge("deleted", 1, Integer::sum);
                            reporter.recorder().auditReport("deleted");
                        } catch (ReportStore.StoreFailed e) {
                            if (failed.size() < 10) {
                                failed.add(ns + "/" + name + ": " + e.getMessage());
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                } catch (ReportStore.StoreFailed e) {
                    LOG.warnf("audit could not list %s to delete stale ones: %s", f.kind(), e.getMessage());
                }
                if (!failed.isEmpty()) {
                    LOG.warnf("audit could not delete stale %s: %s", f.kind(), failed);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        stop();
    }
}
