package dev.customs.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.customs.rules.ImageUnverified;
import dev.customs.rules.Violation;

/**
 * What the policy made of an evaluation: which findings deny, which warn, which are only recorded. The admission
 * layer turns it into an AdmissionReview response; the report layer into Events and metrics.
 *
 * @param denied violations whose action is enforce
 * @param warned violations whose action is warn
 * @param audited violations whose action is audit
 * @param unverifiedDenied images that could not be checked, under {@code on-error: deny}
 * @param unverifiedWarned images that could not be checked, under {@code on-error: warn}
 */
public record Decision(List<Violation> denied, List<Violation> warned, List<Violation> audited,
        List<ImageUnverified> unverifiedDenied, List<ImageUnverified> unverifiedWarned) {

    /** The apiserver truncates each warning at 256 characters and drops warnings past 4 KiB in all. */
    public static final int MAX_WARNING = 256;
    public static final int MAX_WARNINGS_TOTAL = 4096;

    public static final Decision ALLOW = new Decision(List.of(), List.of(), List.of(), List.of(), List.of());

    public Decision {
        denied = List.copyOf(denied);
        warned = List.copyOf(warned);
        audited = List.copyOf(audited);
        unverifiedDenied = List.copyOf(unverifiedDenied);
        unverifiedWarned = List.copyOf(unverifiedWarned);
    }

    public boolean allowed() {
        return denied.isEmpty() && unverifiedDenied.isEmpty();
    }

    /** The lines of the denial message, one per finding: {@code [rule-id] problem: fix}. */
    public List<String> denialLines() {
        List<String> lines = new ArrayList<>();
        denied.forEach(v -> lines.add(v.message()));
        unverifiedDenied.forEach(u -> lines.add(u.message()));
        return lines;
    }

    /**
     * The {@code response.warnings}: one per warned finding, each at most 256 characters, all together within 4 KiB.
     * When they do not fit, the last one says how many were left out.
     */
    public List<String> warnings() {
        List<String> all = new ArrayList<>();
        warned.forEach(v -> all.add(v.message()));
        unverifiedWarned.forEach(u -> all.add(u.message()));
        List<String> out = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < all.size(); i++) {
            String w = truncate(all.get(i), MAX_WARNING);
            int left = all.size() - i;
            String more = "[customs] " + left + " more warning" + (left > 1 ? "s" : "") + " not shown";
            boolean last = i == all.size() - 1;
            if (total + w.length() + (last ? 0 : more.length()) > MAX_WARNINGS_TOTAL) {
                out.add(more);
                break;
            }
            out.add(w);
            total += w.length();
        }
        return out;
    }

    /** Audit annotations for findings that are only recorded; empty when there are none. */
    public Map<String, String> auditAnnotations() {
        if (audited.isEmpty()) {
            return Map.of();
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("violations", String.join("\n", audited.stream().map(Violation::message).toList()));
        return m;
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
