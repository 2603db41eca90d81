package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.ImageResolver;
import dev.customs.image.UnavailableImageInspector;
import dev.customs.policy.Action;
import dev.customs.policy.Exemption;
import dev.customs.policy.NamespaceLabels;
import dev.customs.policy.OnError;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;

/**
 * An object with more containers than {@code customs.admission.max-containers} is denied as a whole, before its pod
 * spec is bound or an image resolved, unless no rule applies to it or an update leaves its pod spec as it was.
 */
class TooManyContainersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX = 5;

    private static AdmissionHandler handler(Policy policy) {
        return new AdmissionHandler(JSON, new RuleEngine(RuleRegistry.defaults()), policy,
                new ImageResolver(new UnavailableImageInspector("no registry in this test"), Duration.ofSeconds(1)),
                new Reporter(Recorder.NONE, null, false), MAX);
    }

    private static ObjectNode deployment(int containers, int init) {
        ObjectNode d = JSON.createObjectNode().put("apiVersion", "apps/v1").put("kind", "Deployment");
        d.putObject("metadata").put("name", "web").put("namespace", "shop");
        ObjectNode spec = d.putObject("spec").putObject("template").putObject("spec");
        ArrayNode c = spec.putArray("containers");
        for (int i = 0; i < containers; i++) {
            c.addObject().put("name", "c" + i).put("image", "app@sha256:" + "a".repeat(64));
        }
        ArrayNode ic = spec.putArray("initContainers");
        for (int i = 0; i < init; i++) {
            ic.addObject().put("name", "i" + i).put("image", "app@sha256:" + "a".repeat(64));
        }
        return d;
    }

    private static JsonNode review(Policy policy, String operation, ObjectNode object, ObjectNode old)
            throws Exception {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind",
                "AdmissionReview");
        ObjectNode req = review.putObject("request").put("uid", "u-1").put("operation", operation)
                .put("namespace", "shop").put("name", "web");
        req.putObject("kind").put("group", "apps").put("version", "v1").put("kind", "Deployment");
        req.set("object", object);
        if (old != null) {
            req.set("oldObject", old);
        }
        AdmissionHandler.Outcome outcome = handler(policy).review(JSON.writeValueAsBytes(review)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(outcome.ok()).isTrue();
        return outcome.review().path("response");
    }

    @Test
    void moreContainersThanTheLimitIsDeniedSayingWhatToDo() throws Exception {
        JsonNode r = review(Policy.enforceAll(), "CREATE", deployment(4, 2), null);

        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.at("/status/code").asInt()).isEqualTo(403);
        assertThat(r.at("/status/message").asText()).isEqualTo("[too-many-containers] Deployment \"web\" has 6 "
                + "containers (init, regular and ephemeral together); Customs evaluates at most 5 per object: split it "
                + "into several, or raise customs.admission.max-containers");
        assertThat(r.at("/status/details/causes")).hasSize(1);
        assertThat(r.at("/status/details/causes/0/reason").asText()).isEqualTo("too-many-containers");
        assertThat(r.at("/status/details/causes/0/field").asText()).isEqualTo("spec.template.spec.containers");
    }

    @Test
    void atTheLimitItIsEvaluated() throws Exception {
        JsonNode r = review(Policy.enforceAll(), "CREATE", deployment(3, 2), null);

        // evaluated: the images are unverified (a warning), nothing is denied
        assertThat(r.path("allowed").asBoolean()).isTrue();
        assertThat(r.path("warnings").get(0).asText()).startsWith("[image-unverified] ");
    }

    @Test
    void anUpdateThatLeavesThePodSpecAsItWasIsAllowed() throws Exception {
        ObjectNode old = deployment(6, 0);
        ObjectNode now = old.deepCopy();
        ((ObjectNode) now.get("metadata")).putObject("labels").put("team", "shop");
        ((ObjectNode) now.at("/spec/template/spec")).putArray("tolerations").addObject().put("key", "k");

        assertThat(review(Policy.enforceAll(), "UPDATE", now, old).path("allowed").asBoolean()).isTrue();
        ObjectNode changed = old.deepCopy();
        ((ObjectNode) changed.at("/spec/template/spec/containers/0")).put("image", "other@sha256:" + "b".repeat(64));
        assertThat(review(Policy.enforceAll(), "UPDATE", changed, old).path("allowed").asBoolean()).isFalse();
    }

    @Test
    void whenNoRuleAppliesItIsAllowed() throws Exception {
        Map<String, Action> off = new java.util.HashMap<>();
        RuleRegistry.IDS.forEach(id -> off.put(id, Action.OFF));
        Policy allOff = new Policy(off, OnError.WARN, List.of(), NamespaceLabels.NONE, Clock.systemUTC(), e -> {
        });
        assertThat(review(allOff, "CREATE", deployment(9, 0), null).path("allowed").asBoolean()).isTrue();

        Policy exempt = new Policy(Map.of(), OnError.WARN, List.of(new Exemption("shop", Set.of("shop"), List.of(),
                Set.of(), Set.of(), Set.of(), "test", null)), NamespaceLabels.NONE, Clock.systemUTC(), e -> {
                });
        assertThat(review(exempt, "CREATE", deployment(9, 0), null).path("allowed").asBoolean()).isTrue();
        // an exemption of some rules only leaves the others applying
        Policy partly = new Policy(Map.of(), OnError.WARN, List.of(new Exemption("shop", Set.of("shop"), List.of(),
                Set.of(), Set.of(), Set.of("run-as-root"), "test", null)), NamespaceLabels.NONE, Clock.systemUTC(),
                e -> {
                });
        assertThat(review(partly, "CREATE", deployment(9, 0), null).path("allowed").asBoolean()).isFalse();
    }
}
