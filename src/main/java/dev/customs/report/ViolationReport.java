package dev.customs.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
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
 * @param knownKey its {@link #key()} when known already (the key of an earlier report with the same key), or null
 */
public record ViolationReport(ObjectReference regarding, String eventNamespace, String action, SortedSet<String> rules,
        SortedSet<String> images, List<String> lines, String knownKey) {

    /** A report whose key is computed when it is asked for. */
    public ViolationReport(ObjectReference regarding, String eventNamespace, String action, SortedSet<String> rules,
            SortedSet<String> images, List<String> lines) {
        this(regarding, eventNamespace, action, rules, images, lines, null);
    }

    /**
     * Events with the same key within the aggregation window are one Event with a growing series. A digest of what
     * makes them the same (regarding object, action, rules, images), so every aggregate costs the same few bytes
     * however long the names in the pod spec are.
     */
    public String key() {
        if (knownKey != null) {
            return knownKey;
        }
        return digest(regarding.getKind() + "/" + regarding.getNamespace() + "/" + regarding.getName() + "|" + action
                + "|" + String.join(",", rules) + "|" + String.join(",", images));
    }

    /**
     * Whether {@code other} has the same {@link #key()}: the same regarding object, action, rules and images, compared
     * without building either key. A flood of denials is mostly one pod's, again and again, and its key is then
     * reused instead of joined and digested anew.
     */
    public boolean sameKey(ViolationReport other) {
        return other != null && other.sameKey(regarding, action, rules, images);
    }

    /** Whether a report made of these parts would have this report's {@link #key()}. */
    public boolean sameKey(ObjectReference regarding, String action, SortedSet<String> rules,
            SortedSet<String> images) {
        return this.action.equals(action) && Objects.equals(this.regarding.getName(), regarding.getName())
                && Objects.equals(this.regarding.getNamespace(), regarding.getNamespace())
                && Objects.equals(this.regarding.getKind(), regarding.getKind()) && same(this.rules, rules)
                && same(this.images, images);
    }

    /**
     * Two sorted sets of the same strings, walked side by side: a set's own equals looks each element up in the other
     * set, comparing strings in full several times each.
     */
    private static boolean same(SortedSet<String> a, SortedSet<String> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Iterator<String> i = a.iterator();
        Iterator<String> j = b.iterator();
        while (i.hasNext()) {
            if (!i.next().equals(j.next())) {
                return false;
            }
        }
        return true;
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
