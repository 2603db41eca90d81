package dev.customs.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

    /**
     * Events with the same key within the aggregation window are one Event with a growing series. A digest of what
     * makes them the same (regarding object, action, rules, images), so every aggregate costs the same few bytes
     * however long the names in the pod spec are.
     */
    public String key() {
        return digest(regarding.getKind() + "/" + regarding.getNamespace() + "/" + regarding.getName() + "|" + action
                + "|" + String.join(",", rules) + "|" + String.join(",", images));
    }

    /** The SHA-256 of a string, in hex. */
    static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
