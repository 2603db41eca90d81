package dev.customs.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import dev.customs.policy.Exemption;
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

    /** One evaluated object. */
    record Checked(ManifestReader.Document document, String kind, String namespace, String name, Decision decision) {
    }

    /**
     * What a run found.
     *
     * @param checked the evaluated objects
     * @param skipped objects that are not pods or workloads
     * @param problems what could not be read or evaluated, with where it is
     * @param exemptions the configured exemptions by name, for their reasons
     */
    record Result(List<Checked> checked, List<ManifestReader.Document> skipped, List<Problem> problems,
            Map<String, Exemption> exemptions) {

        boolean enforced() {
            return checked.stream().anyMatch(c -> !c.decision().allowed());
        }

        /** The reason an exemption gives, or "" when it gives none. */
        String reason(String exemption) {
            Exemption e = exemptions.get(exemption);
            return e == null || e.reason() == null ? "" : e.reason();
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

    /** The policy findings are decided by, for the inputs that are not manifests (Dockerfiles). */
    Policy policy() {
        return policy;
    }

    Result check(List<ManifestReader.Document> docs, List<Problem> problems) {
        List<ManifestReader.Document> skipped = new ArrayList<>();
        List<Problem> all = new ArrayList<>(problems);
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
                Locations.Position at = d.locations().start();
                all.add(new Problem(d.file(), at.line(), at.column(),
                        e.getMessage().replace("request.object", "the object")));
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
            checked.add(new Checked(targets.get(i), pod.kind(), pod.namespace(), pod.name(), d));
        }
        Map<String, Exemption> exemptions = new LinkedHashMap<>();
        policy.liveExemptions().forEach(e -> exemptions.put(e.name(), e));
        return new Result(checked, skipped, all, exemptions);
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
