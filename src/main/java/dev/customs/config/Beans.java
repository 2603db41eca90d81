package dev.customs.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.admission.AdmissionHandler;
import dev.customs.image.ImageInspector;
import dev.customs.image.ImageResolver;
import dev.customs.image.UnavailableImageInspector;
import dev.customs.policy.Action;
import dev.customs.policy.Policy;
import dev.customs.rules.DockerSocket;
import dev.customs.rules.OciLabels;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;

/**
 * Wires the plain classes of the admission flow from configuration. Everything below is built once at start-up, and a
 * configuration error (an unknown rule id) fails start-up instead of silently not enforcing.
 */
public class Beans {

    @Produces
    @Singleton
    RuleRegistry ruleRegistry(CustomsConfig config) {
        Map<String, CustomsConfig.RuleConfig> rules = config.rules();
        for (String id : rules.keySet()) {
            if (!RuleRegistry.IDS.contains(id)) {
                throw new IllegalArgumentException(
                        "customs.rules.\"" + id + "\": unknown rule id; known ids are " + RuleRegistry.IDS);
            }
        }
        List<String> extra = rules.containsKey(DockerSocket.ID)
                ? rules.get(DockerSocket.ID).extraPaths().orElse(List.of())
                : List.of();
        List<String> labels = rules.containsKey(OciLabels.ID)
                ? rules.get(OciLabels.ID).requiredKeys().orElse(OciLabels.DEFAULT_REQUIRED)
                : OciLabels.DEFAULT_REQUIRED;
        return RuleRegistry.withSettings(extra, labels);
    }

    @Produces
    @Singleton
    RuleEngine ruleEngine(RuleRegistry registry) {
        return new RuleEngine(registry);
    }

    @Produces
    @Singleton
    Policy policy(CustomsConfig config) {
        Map<String, Action> actions = new LinkedHashMap<>();
        config.rules().forEach((id, rule) -> actions.put(id, rule.action()));
        return new Policy(actions, config.registry().onError());
    }

    /** Application-scoped so tests can swap it with {@code QuarkusMock}; the admission handler holds the proxy. */
    @Produces
    @ApplicationScoped
    ImageInspector imageInspector() {
        return new UnavailableImageInspector("image inspection is not enabled in this build");
    }

    @Produces
    @Singleton
    AdmissionHandler admissionHandler(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageInspector inspector,
            CustomsConfig config) {
        return new AdmissionHandler(mapper, engine, policy, new ImageResolver(inspector, config.registry().budget()));
    }
}
