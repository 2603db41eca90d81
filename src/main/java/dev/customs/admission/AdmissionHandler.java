package dev.customs.admission;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.ImageResolver;
import dev.customs.policy.Decision;
import dev.customs.policy.Policy;
import dev.customs.policy.Requester;
import dev.customs.report.Regarding;
import dev.customs.report.Reporter;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;

/**
 * One admission review, end to end and without HTTP: parse, map to a pod view, resolve images within the budget,
 * evaluate, decide, answer, and hand the decision to the reporter (metrics at once, Events through a queue). Input
 * errors become {@link Outcome#badRequest}; nothing here throws to the caller.
 */
public final class AdmissionHandler {

    private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);

    private final ObjectMapper mapper;
    private final PodViewMapper views;
    private final AdmissionResponses responses;
    private final RuleEngine engine;
    private final Policy policy;
    private final ImageResolver images;
    private final Reporter reporter;

    public AdmissionHandler(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images,
            Reporter reporter) {
        this.mapper = mapper;
        this.views = new PodViewMapper(mapper);
        this.responses = new AdmissionResponses(mapper);
        this.engine = engine;
        this.policy = policy;
        this.images = images;
        this.reporter = reporter;
    }

    /** The result of one review: a response body, or a 400 explanation. */
    public record Outcome(ObjectNode review, String badRequest, Decision decision, AdmissionRequest request) {

        static Outcome badRequest(String why) {
            return new Outcome(null, why, null, null);
        }

        public boolean ok() {
            return review != null;
        }

        /** The decision label for metrics: allowed, denied, warned or error. */
        public String label() {
            if (!ok()) {
                return "error";
            }
            if (decision == null) {
                return "allowed";
            }
            return !decision.allowed() ? "denied" : decision.warned().isEmpty() ? "allowed" : "warned";
        }
    }

    public CompletionStage<Outcome> review(byte[] body) {
        long start = System.nanoTime();
        return evaluate(body).whenComplete((outcome, failure) -> {
            AdmissionRequest req = outcome == null ? null : outcome.request();
            reporter.recorder().admission(kindLabel(req),
                    req == null ? "unknown" : req.operation(), outcome == null ? "error" : outcome.label(),
                    Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /**
     * The kind as a metric label: one of the kinds Customs evaluates, else {@code other}. The kind comes from the
     * request body, so anyone who can reach the endpoint could otherwise make a new series per request.
     */
    static String kindLabel(AdmissionRequest req) {
        return req == null ? OTHER_KIND : WorkloadKind.byKind(req.kind()).map(WorkloadKind::kind).orElse(OTHER_KIND);
    }

    /** The kind label of every request that is not of an evaluated kind, or not a request at all. */
    public static final String OTHER_KIND = "other";

    private CompletionStage<Outcome> evaluate(byte[] body) {
        AdmissionRequest req;
        Optional<PodView> view;
        try {
            req = AdmissionRequest.parse(mapper, body);
            view = views.map(req);
        } catch (BadAdmissionRequest e) {
            LOG.debugf("bad admission request: %s", e.getMessage());
            return CompletableFuture.completedFuture(Outcome.badRequest(e.getMessage()));
        }
        if (view.isEmpty()) {
            return CompletableFuture.completedFuture(new Outcome(responses.allow(req), null, null, req));
        }
        PodView pod = view.get();
        Requester who = new Requester(pod.namespace(), req.username(), req.groups(), req.dryRun());
        Predicate<String> active = policy.active(who.namespace());
        CompletableFuture<ImageLookup> lookup = engine.needsImages(active) ? images.resolve(pod)
                : CompletableFuture.completedFuture(ImageLookup.NONE);
        return lookup.thenApply(facts -> {
            Evaluation evaluation = engine.evaluate(pod, facts, active);
            Decision decision = policy.decide(evaluation, who);
            ObjectNode answer = responses.decide(req, decision);
            reporter.admitted(decision, who.namespace(), req.dryRun(),
                    () -> Regarding.of(req.object(), req.objectApiVersion(), req.kind(), who.namespace()));
            if (LOG.isDebugEnabled()) {
                LOG.debugf("decision=%s namespace=%s kind=%s name=%s rules=%s", decision.allowed() ? "allowed"
                        : "denied", pod.namespace(), pod.kind(), pod.name(),
                        decision.effective().stream().map(Decision.Finding::rule).distinct().toList());
            }
            return new Outcome(answer, null, decision, req);
        });
    }
}
