package dev.customs.report;

import java.util.List;
import java.util.SortedSet;

import io.fabric8.kubernetes.api.model.ObjectReference;

/**
 * One Event to post: what it is about, what was done, and the finding lines.
 *
 * @param regarding the object the Event is about (a workload, the owner of a controller-made pod, or a namespace)
 * @param eventNamespace the namespace the Event is created in
 * @param action Denied, Warned or Audited
 * @param rules the rule ids of the findings, sorted
 * @param images the images of the findings, sorted
 * @param lines the finding lines, {@code [rule-id] problem: fix}
 */
public record ViolationReport(ObjectReference regarding, String eventNamespace, String action, SortedSet<String> rules,
        SortedSet<String> images, List<String> lines) {

    /** Events with the same key within the aggregation window are one Event with a growing series. */
    public String key() {
        return regarding.getKind() + "/" + regarding.getNamespace() + "/" + regarding.getName() + "|" + action + "|"
                + String.join(",", rules) + "|" + String.join(",", images);
    }
}
