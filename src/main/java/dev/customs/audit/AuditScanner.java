package dev.customs.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.admission.BadAdmissionRequest;
import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import dev.customs.image.ImageResolver;
import dev.customs.policy.Decision;
import dev.customs.policy.Policy;
import dev.customs.policy.Requester;
import dev.customs.report.Recorder;
import dev.customs.report.Regarding;
import dev.customs.report.Reporter;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.ImageUnverified;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * The background audit: what would break. While started (on one replica, the leader), every interval it evaluates the
 * existing workloads and standalone pods, read from informer caches, with the same engine, policy and image cache as admission,
 * and publishes the counts as gauges.
 * Objects owned by a controller (a Deployment's ReplicaSets, a CronJob's Jobs, controller-made pods) are skipped:
 * their owner is evaluated instead, so nothing is counted twice. Images are resolved a few at a time, within the same
 * budget as admission, so an audit never floods a registry.
 */
public final class AuditScanner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AuditScanner.class);

    /** One informer per evaluated kind. */
    public record Source(WorkloadKind kind, SharedIndexInformer<? extends HasMetadata> informer) {
    }

    private record Target(PodView view, JsonNode object) {
    }

    /** What one run found. */
    public record Result(int objects, Map<Recorder.AuditKey, Integer> violations, Map<String, Integer> perNamespace) {
    }

    private final Supplier<List<Source>> newSources;
    /** The informers of the current run of the audit; empty while stopped. */
    private volatile List<Source> sources = List.of();
    private final ObjectMapper mapper;
    private final PodViewMapper views;
    private final RuleEngine engine;
    private final Policy policy;
    private final ImageResolver images;
    private final Reporter reporter;
    private final Clock clock;
    private final int concurrency;
    private ScheduledExecutorService scheduler;

    /**
     * @param sources makes the informers (not yet started), one per evaluated kind, each time the audit starts: a
     *        stopped informer cannot be started again
     */
    public AuditScanner(Supplier<List<Source>> sources, ObjectMapper mapper, RuleEngine engine, Policy policy,
            ImageResolver images, Reporter reporter, Clock clock, int concurrency) {
        this.newSources = sources;
        this.mapper = mapper;
        this.views = new PodViewMapper(mapper);
        this.engine = engine;
        this.policy = policy;
        this.images = images;
        this.reporter = reporter;
        this.clock = clock;
        this.concurrency = Math.max(1, concurrency);
    }

    /** Makes and starts the informers without waiting for them to sync. */
    public synchronized void start() {
        if (!sources.isEmpty()) {
            return;
        }
        sources = List.copyOf(newSources.get());
        for (Source s : sources) {
            s.informer().start().whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warnf("audit informer for kind=%s could not start: %s", s.kind().kind(), e.getMessage());
                }
            });
        }
    }

    /** Runs the audit every {@code interval}, the first time after one interval (informers sync meanwhile). */
    public synchronized void schedule(Duration interval) {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "customs-audit");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (RuntimeException e) {
                LOG.warnf("audit run failed: %s", e.toString());
                LOG.debug("audit run failure", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Evaluates everything once and publishes the gauges. Blocks the calling thread (the audit's own). */
    public Result runOnce() {
        List<Target> targets = new ArrayList<>();
        Map<String, Integer> perNamespace = new HashMap<>();
        for (Source s : sources) {
            for (HasMetadata o : s.informer().getStore().list()) {
                if (ownedByController(o)) {
                    continue;
                }
                JsonNode node = mapper.valueToTree(o);
                try {
                    PodView view = views.toView(s.kind(), node, o.getMetadata().getNamespace(),
                            o.getMetadata().getName());
                    targets.add(new Target(view, node));
                    perNamespace.merge(view.namespace(), 1, Integer::sum);
                } catch (BadAdmissionRequest e) {
                    LOG.debugf("audit skipped kind=%s namespace=%s name=%s: %s", s.kind().kind(),
                            o.getMetadata().getNamespace(), o.getMetadata().getName(), e.getMessage());
                }
            }
        }
        Map<Recorder.AuditKey, Integer> violations = new HashMap<>();
        for (int i = 0; i < targets.size(); i += concurrency) {
            List<Target> batch = targets.subList(i, Math.min(targets.size(), i + concurrency));
            List<CompletableFuture<ImageLookup>> lookups = new ArrayList<>();
            for (Target t : batch) {
                PodView pod = t.view();
                Predicate<String> active = policy.active(pod.namespace());
                lookups.add(engine.needsImages(active) ? images.resolve(pod)
                        : CompletableFuture.completedFuture(ImageLookup.NONE));
            }
            for (int j = 0; j < batch.size(); j++) {
                PodView pod = batch.get(j).view();
                JsonNode node = batch.get(j).object();
                Requester who = Requester.namespace(pod.namespace());
                Decision d = policy.decide(engine.evaluate(pod, lookups.get(j).join(), policy.active(pod.namespace())),
                        who);
                for (Decision.Finding f : d.effective()) {
                    if (!f.rule().equals(ImageUnverified.ID)) {
                        violations.merge(new Recorder.AuditKey(f.rule(), pod.namespace()), 1, Integer::sum);
                    }
                }
                reporter.audited(d, pod.namespace(), () -> Regarding.of(node, node.path("apiVersion").asText(""),
                        pod.kind(), pod.namespace()));
            }
        }
        reporter.recorder().auditRun(violations, perNamespace, clock.instant());
        LOG.debugf("audit objects=%d violations=%d", targets.size(),
                violations.values().stream().mapToInt(Integer::intValue).sum());
        return new Result(targets.size(), violations, perNamespace);
    }

    private static boolean ownedByController(HasMetadata o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()));
    }

    /**
     * Stops the schedule and the informers, and withdraws the published results: a replica that no longer runs the
     * audit must not keep exporting the figures of its last run beside the new leader's.
     */
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
        sources.forEach(s -> s.informer().close());
        sources = List.of();
        reporter.recorder().auditStopped();
    }

    @Override
    public void close() {
        stop();
    }
}
