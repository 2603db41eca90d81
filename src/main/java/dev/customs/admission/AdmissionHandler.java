package dev.customs.admission;

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
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;

/**
 * One admission review, end to end and without HTTP: parse, map to a pod view, resolve images within the budget,
 * evaluate, decide, answer. Input errors become {@link Outcome#badRequest}; nothing here throws to the caller.
 */
public final class AdmissionHandler {

    private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);

    private final ObjectMapper mapper;
    private final PodViewMapper views;
    private final AdmissionResponses responses;
    private final RuleEngine engine;
    private final Policy policy;
    private final ImageResolver images;

    public AdmissionHandler(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images) {
        this.mapper = mapper;
        this.views = new PodViewMapper(mapper);
        this.responses = new AdmissionResponses(mapper);
        this.engine = engine;
        this.policy = policy;
        this.images = images;
    }

    /** The result of one review: a response body, or a 400 explanation. */
    public record Outcome(ObjectNode review, String badRequest, Decision decision, AdmissionRequest request) {

        static Outcome badRequest(String why) {
            return new Outcome(null, why, null, null);
        }

        public boolean ok() {
            return review != null;
        }
    }

    public CompletionStage<Outcome> review(byte[] body) {
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
        Predicate<String> active = policy.active();
        CompletableFuture<ImageLookup> lookup = engine.needsImages(active) ? images.resolve(pod)
                : CompletableFuture.completedFuture(ImageLookup.NONE);
        return lookup.thenApply(facts -> {
            Evaluation evaluation = engine.evaluate(pod, facts, active);
            Decision decision = policy.decide(evaluation);
            if (LOG.isDebugEnabled()) {
                LOG.debugf("decision=%s namespace=%s kind=%s name=%s rules=%s", decision.allowed() ? "allowed" : "denied",
                        pod.namespace(), pod.kind(), pod.name(),
                        evaluation.violations().stream().map(v -> v.rule()).distinct().toList());
            }
            return new Outcome(responses.decide(req, decision), null, decision, req);
        });
    }
}
