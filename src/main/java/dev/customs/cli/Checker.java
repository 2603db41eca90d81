package dev.customs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.admission.BadAdmissionRequest;
import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import dev.customs.image.ImageResolver;
import dev.customs.policy.Decision;
import dev.customs.policy.Policy;
import dev.customs.policy.Requester;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;

/**
 * Evaluates objects read from files with the webhook's own mapper, engine, policy and image resolution: the same code
 * decides in {@code customs check} and at admission. Images of all objects are resolved in parallel first.
 */
final class Checker {

    /** A place in a file, 1-based. */
    record Location(int line, int column) {
    }

    /**
     * One evaluated object (or Dockerfile).
     *
     * @param locations where each finding's field is in the file, by field; empty when only the object's line is known
     */
    record Checked(ManifestReader.Document document, String kind, String namespace, String name, Decision decision,
            Map<String, Location> locations) {

        Checked {
            locations = Map.copyOf(locations);
        }

        /** Where a finding points in the file, or null when only the object's first line is known. */
        Location location(Decision.Finding f) {
            return locations.get(f.field());
        }
    }

    /** What a run found. */
    record Result(List<Checked> checked, List<ManifestReader.Document> skipped, List<String> errors) {

        boolean enforced() {
            return checked.stream().anyMatch(c -> !c.decision().allowed());
        }
    }

    private final PodViewMapper views;
    private final RuleEngine engine;
    private final Policy policy;
    private final ImageResolver images;

    Checker(ObjectMapper json, RuleEngine engine, Policy policy, ImageResolver images) {
        this.views = new PodViewMapper(json);
        this.engine = engine;
        this.policy = policy;
        this.images = images;
    }

    Result check(List<ManifestReader.Document> docs) {
        List<ManifestReader.Document> skipped = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<ManifestReader.Document> targets = new ArrayList<>();
        List<PodView> pods = new ArrayList<>();
        for (ManifestReader.Document d : docs) {
            Optional<WorkloadKind> kind = kindOf(d);
            if (kind.isEmpty()) {
                skipped.add(d);
                continue;
            }
            String namespace = d.object().path("metadata").path("namespace").asText("");
            try {
                pods.add(views.toView(kind.get(), d.object(), namespace, ""));
                targets.add(d);
            } catch (BadAdmissionRequest e) {
                errors.add(d.file() + ":" + d.line() + ": " + e.getMessage().replace("request.object", "the object"));
            }
        }
        List<CompletableFuture<ImageLookup>> lookups = new ArrayList<>();
        for (PodView pod : pods) {
            lookups.add(engine.needsImages(policy.active(pod.namespace())) ? images.resolve(pod)
                    : CompletableFuture.completedFuture(ImageLookup.NONE));
        }
        List<Checked> checked = new ArrayList<>();
        for (int i = 0; i < pods.size(); i++) {
            PodView pod = pods.get(i);
            Predicate<String> active = policy.active(pod.namespace());
            Decision d = policy.decide(engine.evaluate(pod, lookups.get(i).join(), active),
                    Requester.namespace(pod.namespace()));
            checked.add(new Checked(targets.get(i), pod.kind(), pod.namespace(), pod.name(), d, Map.of()));
        }
        return new Result(checked, skipped, errors);
    }

    /**
     * The kind of a file's object: by group and kind as the apiserver would route it, and by kind alone for objects
     * whose apiVersion is missing or outdated.
     */
    private static Optional<WorkloadKind> kindOf(ManifestReader.Document d) {
        String kind = d.object().path("kind").asText("");
        String apiVersion = d.object().path("apiVersion").asText("");
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        Optional<WorkloadKind> exact = WorkloadKind.of(group, kind);
        if (exact.isPresent()) {
            return exact;
        }
        return group.contains(".") ? Optional.empty() : WorkloadKind.byKind(kind);
    }
}
