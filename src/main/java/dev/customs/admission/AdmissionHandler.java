package dev.customs.admission;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.ImageResolver;
import dev.customs.policy.Action;
import dev.customs.policy.Decision;
import dev.customs.policy.Exemption;
import dev.customs.policy.Policy;
import dev.customs.policy.Requester;
import dev.customs.report.Regarding;
import dev.customs.report.Reporter;
import dev.customs.rules.ContainerView;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;

/**
 * One admission review, end to end and without HTTP: parse, map to a pod view, resolve images within the budget,
 * evaluate, decide, answer, and hand the decision to the reporter (metrics at once, Events through a queue). Input
 * errors become {@link Outcome#badRequest}; nothing here throws to the caller but a
 * {@link ReviewReader.Meter} that refuses to pay for a tree.
 */
public final class AdmissionHandler {

    private static final Logger LOG = Logger.getLogger(AdmissionHandler.class);

    private final ObjectMapper mapper;
    private final ReviewReader reader;
    private final PodViewMapper views;
    private final AdmissionResponses responses;
    private final RuleEngine engine;
    private final Policy policy;
    private final ImageResolver images;
    private final Reporter reporter;
    private final int maxContainers;

    /** The finding id of an object with more containers than Customs evaluates. */
    public static final String TOO_MANY_CONTAINERS = "too-many-containers";
    /** {@code customs.admission.max-containers} by default. */
    public static final int DEFAULT_MAX_CONTAINERS = 256;

    public AdmissionHandler(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images,
            Reporter reporter) {
        this(mapper, engine, policy, images, reporter, DEFAULT_MAX_CONTAINERS);
    }

    /** @param maxContainers the most containers of an object that are evaluated; an object with more is denied */
    public AdmissionHandler(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images,
            Reporter reporter, int maxContainers) {
        this.maxContainers = maxContainers;
        this.mapper = mapper;
        this.reader = new ReviewReader(mapper.getFactory(), mapper.getNodeFactory());
        this.views = new PodViewMapper(mapper);
        this.responses = new AdmissionResponses(mapper.getFactory());
        this.engine = engine;
        this.policy = policy;
        this.images = images;
        this.reporter = reporter;
    }

    /**
     * The result of one review: a response body (the AdmissionReview's JSON bytes, as sent), or a 400 explanation.
     */
    public record Outcome(byte[] answer, String badRequest, Decision decision, AdmissionRequest request) {

        static Outcome badRequest(String why) {
            return new Outcome(null, why, null, null);
        }

        public boolean ok() {
            return answer != null;
        }

        /** The answer read back as a tree, for a caller that inspects it; null for a bad request. */
        public JsonNode review() {
            try {
                return answer == null ? null : Reader.MAPPER.readTree(answer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Made at the first {@link #review()}: the admission path never reads an answer back. */
        private static final class Reader {
            static final ObjectMapper MAPPER = new ObjectMapper();
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
        return review(body, ReviewReader.Meter.NONE);
    }

    /**
     * A review whose parsed tree is paid for through {@code meter} as it is built. A meter that refuses throws; that
     * reaches the caller, before anything was evaluated or recorded.
     */
    CompletionStage<Outcome> review(byte[] body, ReviewReader.Meter meter) {
        long start = System.nanoTime();
        return evaluate(body, meter).whenComplete((outcome, failure) -> {
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

    private CompletionStage<Outcome> evaluate(byte[] body, ReviewReader.Meter meter) {
        AdmissionRequest req;
        Optional<PodView> view;
        try {
            req = AdmissionRequest.parse(reader, body, meter);
            Optional<Outcome> tooMany = tooManyContainers(req);
            if (tooMany.isPresent()) {
                return CompletableFuture.completedFuture(tooMany.get());
            }
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
        if (pod.containers().size() > maxContainers) {
            return CompletableFuture.completedFuture(tooManyContainers(req, pod.subject(), pod.containers().size(),
                    pod.field("containers"), who, active));
        }
        CompletableFuture<ImageLookup> lookup = engine.needsImages(active) ? images.resolve(pod)
                : CompletableFuture.completedFuture(ImageLookup.NONE);
        return lookup.thenApply(facts -> {
            Evaluation evaluation = engine.evaluate(pod, facts, active);
            Decision decision = policy.decide(evaluation, who);
            // listed once, for the answer and the Event
            List<Decision.Listed> denied = decision.allowed() ? List.of() : decision.deniedListed();
            byte[] answer = responses.decide(req, decision, denied);
            reporter.admitted(decision, who.namespace(), req.dryRun(),
                    () -> Regarding.of(req.object(), req.objectApiVersion(), req.kind(), who.namespace()), denied);
            if (LOG.isDebugEnabled()) {
                LOG.debugf("decision=%s namespace=%s kind=%s name=%s rules=%s", decision.allowed() ? "allowed"
                        : "denied", pod.namespace(), pod.kind(), pod.name(),
                        decision.effective().stream().map(Decision.Finding::rule).distinct().toList());
            }
            return new Outcome(answer, null, decision, req);
        });
    }

    /**
     * The answer for an object with more containers than Customs evaluates, counted in the request's tree before its
     * pod spec is bound (which would cost a second and tens of MiB for 100,000 containers); empty for any other request.
     * Only what the mapper would evaluate counts: a CREATE or UPDATE of a Pod or workload, not a subresource (the
     * ephemeral containers an update adds are counted on the mapped view), and not an UPDATE that leaves the pod spec
     * as it was but for fields no rule reads.
     */
    private Optional<Outcome> tooManyContainers(AdmissionRequest req) {
        if (!req.operation().equals("CREATE") && !req.operation().equals("UPDATE") || !req.subResource().isEmpty()
                || req.object() == null) {
            return Optional.empty();
        }
        Optional<WorkloadKind> kind = WorkloadKind.of(req.group(), req.kind());
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        JsonNode spec = spec(req.object(), kind.get());
        int n = 0;
        for (ContainerView.Kind list : ContainerView.Kind.values()) {
            JsonNode containers = spec == null ? null : spec.get(list.field());
            n += containers != null && containers.isArray() ? containers.size() : 0;
        }
        if (n <= maxContainers) {
            return Optional.empty();
        }
        if (req.operation().equals("UPDATE") && req.oldObject() != null
                && neutral(spec).equals(neutral(spec(req.oldObject(), kind.get())))) {
            return Optional.empty();
        }
        String namespace = req.namespace().isEmpty() ? AdmissionRequest.text(req.object().get("metadata"),
                "namespace") : req.namespace();
        String name = req.name().isEmpty() ? AdmissionRequest.text(req.object().get("metadata"), "name")
                : req.name();
        Requester who = new Requester(namespace, req.username(), req.groups(), req.dryRun());
        return Optional.of(tooManyContainers(req, kind.get().kind() + (name.isEmpty() ? "" : " \"" + name + "\""), n,
                kind.get().specPath() + ".containers", who, policy.active(namespace)));
    }

    private static JsonNode spec(JsonNode object, WorkloadKind kind) {
        JsonNode n = object;
        for (String segment : kind.specSegments()) {
            n = n == null ? null : n.get(segment);
        }
        return n == null || !n.isObject() ? null : n;
    }

    private JsonNode neutral(JsonNode spec) {
        if (spec == null) {
            return mapper.nullNode();
        }
        ObjectNode copy = ((ObjectNode) spec).deepCopy();
        copy.remove(PodViewMapper.VERDICT_NEUTRAL_SPEC_FIELDS);
        return copy;
    }

    /**
     * An object with more containers than Customs evaluates is denied, without resolving a single image, unless no
     * rule applies to it (every rule off in its namespace, or exempted for this requester). Evaluating only the first
     * containers would let a pod pass by hiding what breaks a rule behind enough harmless ones; the API server itself
     * sets no such limit, so the answer says what to do.
     */
    private Outcome tooManyContainers(AdmissionRequest req, String subject, int containers, String field,
            Requester who, Predicate<String> active) {
        List<Exemption> exemptions = policy.liveExemptions();
        boolean applies = RuleRegistry.IDS.stream()
                .anyMatch(id -> active.test(id) && exemptions.stream().noneMatch(e -> e.covers(id, null, who)));
        if (!applies) {
            return new Outcome(responses.allow(req), null, Decision.ALLOW, req);
        }
        String message = "[" + TOO_MANY_CONTAINERS + "] " + subject + " has " + containers
                + " containers (init, regular and ephemeral together); Customs evaluates at most " + maxContainers
                + " per object: split it into several, or raise customs.admission.max-containers";
        Decision decision = new Decision(List.of(new Decision.Finding(TOO_MANY_CONTAINERS, null, null, field, message,
                Action.ENFORCE, null)));
        byte[] answer = responses.decide(req, decision);
        reporter.admitted(decision, who.namespace(), req.dryRun(),
                () -> Regarding.of(req.object(), req.objectApiVersion(), req.kind(), who.namespace()));
        LOG.debugf("decision=denied namespace=%s kind=%s rule=%s containers=%d", who.namespace(), req.kind(),
                TOO_MANY_CONTAINERS, containers);
        return new Outcome(answer, null, decision, req);
    }
}
