package dev.customs.policy;

import java.util.Map;

/**
 * The labels of a namespace, read from a cache kept by an informer; never an API call per admission. A namespace the
 * cache does not know has no labels.
 */
@FunctionalInterface
public interface NamespaceLabels {

    /** Lowers every enforcing rule in the namespace: {@code warn} or {@code audit}. */
    String ACTION_LABEL = "customs.dev/action";

    /** Sets one rule in the namespace: {@code customs.dev/rule.<rule-id>: enforce|warn|audit|off}. */
    String RULE_LABEL_PREFIX = "customs.dev/rule.";

    Map<String, String> labels(String namespace);

    NamespaceLabels NONE = ns -> Map.of();
}
