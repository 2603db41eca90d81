package dev.customs.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the policy made of an evaluation: every finding with the action it takes (or the exemption that covers it).
 * The admission layer turns it into an AdmissionReview response, the report layer into Events and metrics.
 */
public record Decision(List<Finding> findings) {

    /** The apiserver truncates each warning at 256 characters and drops warnings past 4 KiB in all. */
    public static final int MAX_WARNING = 256;
    public static final int MAX_WARNINGS_TOTAL = 4096;
    /** The audit annotation key; the apiserver records it as {@code <webhook name>/violations}. */
    public static final String AUDIT_ANNOTATION = "violations";
    /**
     * Findings of one rule listed in an answer or an Event; the rest are counted in one line. A pod of hundreds of
     * containers must not make an answer of megabytes, and ten lines of one rule already say what to fix.
     */
    public static final int MAX_PER_RULE = 10;
    /** Characters of one listed finding; an invalid image may be as long as the request. */
    public static final int MAX_LINE = 1024;

    public static final Decision ALLOW = new Decision(List.of());

    /**
     * One finding and what it does.
     *
     * @param rule the rule id, or {@code image-unverified}
     * @param container the container's name, or null for a pod-level finding
     * @param image the image the finding is about, or null
     * @param field the field path
     * @param message the user-facing line, {@code [rule-id] problem: fix}
     * @param action what it does; meaningless when exempted
     * @param exemption the name of the exemption that covers it, or null
     */
    public record Finding(String rule, String container, String image, String field, String message, Action action,
            String exemption) {

        public boolean exempted() {
            return exemption != null;
        }

        /** The action label for metrics: enforce, warn, audit or exempted. */
        public String actionLabel() {
            return exempted() ? "exempted" : action.label();
        }
    }

    public Decision {
        findings = List.copyOf(findings);
    }

    public boolean allowed() {
        for (Finding f : findings) {
            if (!f.exempted() && f.action() == Action.ENFORCE) {
                return false;
            }
        }
        return true;
    }

    public List<Finding> denied() {
        return with(Action.ENFORCE);
    }

    public List<Finding> warned() {
        return with(Action.WARN);
    }

    public List<Finding> audited() {
        return with(Action.AUDIT);
    }

    public List<Finding> exempted() {
        return findings.stream().filter(Finding::exempted).toList();
    }

    /** The findings that are acted on (not exempted), in order. */
    public List<Finding> effective() {
        return with(null);
    }

    /**
     * The findings acted on with {@code a}, or with any action when it is null. A loop, not a stream: several of these
     * run on every review, most of them finding nothing.
     */
    private List<Finding> with(Action a) {
        List<Finding> out = null;
        for (Finding f : findings) {
            if (!f.exempted() && (a == null || f.action() == a)) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(f);
            }
        }
        return out == null ? List.of() : Collections.unmodifiableList(out);
    }

    /**
     * One line of an answer or an Event: a finding (its message cut at {@link #MAX_LINE}), or the line that stands for
     * the findings of a rule past its first {@link #MAX_PER_RULE}, which has no field.
     */
    public record Listed(String rule, String field, String message, int findings) {
    }

    /** The findings as listed: the first {@link #MAX_PER_RULE} of each rule, then how many more, in order. */
    public static List<Listed> listed(List<Finding> findings) {
        if (findings.isEmpty()) {
            return List.of();
        }
        // the rules in the order they first appear, with how many findings each has: a few at most, one per rule id
        List<String> rules = new ArrayList<>(4);
        int[] total = new int[4];
        int size = findings.size();
        // indexed, not iterated: the lists are unmodifiable views of several kinds, and two passes through their
        // iterators cost more than the rest of this method
        for (int i = 0; i < size; i++) {
            Finding f = findings.get(i);
            int r = rules.indexOf(f.rule());
            if (r < 0) {
                r = rules.size();
                rules.add(f.rule());
                if (r == total.length) {
                    total = Arrays.copyOf(total, 2 * r);
                }
            }
            total[r]++;
        }
        int[] seen = new int[rules.size()];
        List<Listed> out = new ArrayList<>(Math.min(size, rules.size() * (MAX_PER_RULE + 1)));
        for (int i = 0; i < size; i++) {
            Finding f = findings.get(i);
            int r = rules.indexOf(f.rule());
            int n = ++seen[r];
            if (n <= MAX_PER_RULE) {
                out.add(new Listed(f.rule(), f.field(), truncate(f.message(), MAX_LINE), 1));
            }
            int more = total[r] - MAX_PER_RULE;
            if (n == MAX_PER_RULE && more > 0) {
                out.add(new Listed(f.rule(), null, "[" + f.rule() + "] and " + more + " more finding"
                        + (more > 1 ? "s" : "") + " of this rule, not listed", more));
            }
        }
        return out;
    }

    /** The denying findings as listed in the answer. */
    public List<Listed> deniedListed() {
        return listed(denied());
    }

    /** The messages of listed findings, one per line: a denial's {@code status.message}, the audit annotation. */
    public static String lines(List<Listed> listed) {
        // String.join sizes the result once: a StringBuilder grew and copied it several times, twice as wide from the
        // first line with a character beyond Latin-1 on
        return String.join("\n", listed.stream().map(Listed::message).toList());
    }

    /** The lines of the denial message, one per listed denying finding. */
    public List<String> denialLines() {
        return deniedListed().stream().map(Listed::message).toList();
    }

    /**
     * The {@code response.warnings}: one per listed warned finding (the first {@link #MAX_PER_RULE} of each rule,
     * then a line with how many more), each at most 256 characters, all together within 4 KiB. When they do not fit,
     * the last one says how many findings were left out.
     */
    public List<String> warnings() {
        List<Listed> all = listed(warned());
        if (all.isEmpty()) {
            return List.of();
        }
        int left = all.stream().mapToInt(Listed::findings).sum();
        List<String> out = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < all.size(); i++) {
            String w = truncate(all.get(i).message(), MAX_WARNING);
            String more = "[customs] " + left + " more warning" + (left > 1 ? "s" : "") + " not shown";
            boolean last = i == all.size() - 1;
            if (total + w.length() + (last ? 0 : more.length()) > MAX_WARNINGS_TOTAL) {
                out.add(more);
                break;
            }
            out.add(w);
            total += w.length();
            left -= all.get(i).findings();
        }
        return out;
    }

    /** Audit annotations for findings that are only recorded; empty when there are none. */
    public Map<String, String> auditAnnotations() {
        List<Finding> audited = audited();
        if (audited.isEmpty()) {
            return Map.of();
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put(AUDIT_ANNOTATION, truncate(lines(listed(audited)), 10_000));
        return m;
    }

    static String truncate(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        return s.substring(0, end) + "…";
    }
}
