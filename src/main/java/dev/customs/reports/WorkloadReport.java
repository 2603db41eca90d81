package dev.customs.reports;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.customs.policy.Action;
import dev.customs.policy.Decision;
import dev.customs.reports.ReportResult.Outcome;
import dev.customs.reports.ReportResult.Severity;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageUnverified;
import dev.customs.rules.RuleRegistry;

/**
 * What the audit found on one object, as report results: a {@code fail} per finding the policy acts on, an
 * {@code error} per image that could not be inspected, a {@code skip} per exempted finding, and a {@code pass} per
 * active rule without any. Pure: built from the evaluation and the decision, never from the API.
 *
 * <p>
 * A report never grows past what the API server accepts (etcd refuses objects over 1.5 MiB, and Kyverno's
 * namespace-wide reports ran into exactly that): results are sorted so that what needs doing comes first, and only the
 * first {@code maxResults}, within {@link #MAX_RESULT_BYTES}, are kept; {@link #omitted()} says how many were left
 * out, and the summary still counts every result. Messages and property values are cut to a fixed length.
 *
 * <p>
 * {@link #contentHash()} digests everything the report says except when it was written, so the audit writes a report
 * only when its content changed and a new leader recognises what the previous one wrote.
 *
 * @param scope the object the report is about
 * @param results the results kept, in report order
 * @param summary counts of every result, kept or not
 * @param omitted how many results were left out
 * @param maxResults the configured cap, written into the report's configuration
 * @param contentHash 64 bits of a SHA-256 over the content
 */
public record WorkloadReport(Scope scope, List<ReportResult> results, Map<Outcome, Integer> summary, int omitted,
        int maxResults, long contentHash) {

    /** The source written into reports and results. */
    public static final String SOURCE = "customs";
    /** Messages longer than this are cut (with an ellipsis). */
    public static final int MAX_MESSAGE = 1024;
    /** Property values longer than this are cut. */
    public static final int MAX_PROPERTY = 512;
    /**
     * The most bytes the kept results may take, estimated as their UTF-8 text plus a fixed overhead each: a third of
     * etcd's 1.5 MiB, whatever {@code maxResults} is set to.
     */
    public static final int MAX_RESULT_BYTES = 512 * 1024;
    /** A result's JSON besides its text: keys, quotes, timestamp, enums. */
    static final int RESULT_OVERHEAD = 200;

    private static final Map<String, String> CATEGORIES = Map.of("run-as-root", "Pod Security", "non-root-conflict",
            "Pod Security", "host-network", "Pod Security", "docker-socket", "Pod Security", "latest-tag",
            "Image Provenance", "oci-labels", "Image Provenance", "base-image", "Image Provenance", "shell-form-entrypoint",
            "Workload Reliability", "leaked-secret", "Secrets", ImageUnverified.ID, "Image Provenance");
    private static final String DEFAULT_CATEGORY = "Container Best Practice";

    public WorkloadReport {
        results = List.copyOf(results);
        summary = Map.copyOf(summary);
    }

    /** The hash as written into the report's annotation: 16 hex digits. */
    public String contentHashHex() {
        return HexFormat.of().toHexDigits(contentHash);
    }

    /** Whether any result is a finding the policy acts on. */
    public boolean hasFailures() {
        return summary.getOrDefault(Outcome.FAIL, 0) > 0;
    }

    /**
     * Builds the report of one object.
     *
     * @param scope the object
     * @param evaluation what the rules found, with the images they could not read
     * @param decision what the policy made of it
     * @param actions every rule evaluated in the object's namespace, with its action there (none is {@code off})
     * @param maxResults the most results to keep (at least 1)
     */
    public static WorkloadReport build(Scope scope, Evaluation evaluation, Decision decision,
            Map<String, Action> actions, int maxResults) {
        List<ReportResult> all = new ArrayList<>();
        Set<String> withFinding = new HashSet<>();
        Map<String, Decision.Finding> unverifiedFindings = new TreeMap<>();
        for (Decision.Finding f : decision.findings()) {
            if (f.rule().equals(ImageUnverified.ID)) {
                unverifiedFindings.putIfAbsent(f.image() == null ? "<none>" : f.image(), f);
                continue;
            }
            withFinding.add(f.rule());
            SortedMap<String, String> props = properties(f.container(), f.image(), f.field(), f.action());
            if (f.exempted()) {
                props.put("exemption", cut(f.exemption(), MAX_PROPERTY));
            }
            all.add(new ReportResult(f.rule(), category(f.rule()), severity(f.action()),
                    f.exempted() ? Outcome.SKIP : Outcome.FAIL, cut(f.message(), MAX_MESSAGE), props));
        }
        Set<String> undecided = new HashSet<>();
        for (ImageUnverified u : evaluation.unverified()) {
            undecided.addAll(u.rules());
            Decision.Finding f = unverifiedFindings.get(u.image());
            SortedMap<String, String> props = properties(u.containers().get(0).name(), u.image(), u.field(),
                    f == null ? null : f.action());
            props.put("rules", cut(String.join(",", u.rules()), MAX_PROPERTY));
            boolean exempted = f != null && f.exempted();
            if (exempted) {
                props.put("exemption", cut(f.exemption(), MAX_PROPERTY));
            }
            all.add(new ReportResult(ImageUnverified.ID, category(ImageUnverified.ID),
                    f == null ? Severity.INFO : severity(f.action()), exempted ? Outcome.SKIP : Outcome.ERROR,
                    cut(u.message(), MAX_MESSAGE), props));
        }
        actions.forEach((rule, action) -> {
            if (!withFinding.contains(rule) && !undecided.contains(rule)) {
                SortedMap<String, String> props = new TreeMap<>();
                props.put("action", action.label());
                all.add(new ReportResult(rule, category(rule), severity(action), Outcome.PASS,
                        "[" + rule + "] no finding", props));
            }
        });
        all.sort(ORDER);

        Map<Outcome, Integer> summary = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            summary.put(o, 0);
        }
        all.forEach(r -> summary.merge(r.outcome(), 1, Integer::sum));

        int cap = Math.max(1, maxResults);
        List<ReportResult> kept = new ArrayList<>();
        long bytes = 0;
        for (ReportResult r : all) {
            long size = estimatedBytes(r);
            if (kept.size() >= cap || bytes + size > MAX_RESULT_BYTES) {
                break;
            }
            kept.add(r);
            bytes += size;
        }
        int omitted = all.size() - kept.size();
        return new WorkloadReport(scope, kept, summary, omitted, cap, hash(scope, kept, summary, omitted, cap));
    }

    /**
     * Fails first, then errors, skips and passes; the most severe first; by rule in registry order; then container and
     * field. A capped report thus keeps what needs doing.
     */
    static final Comparator<ReportResult> ORDER = Comparator.comparing(ReportResult::outcome)
            .thenComparing(ReportResult::severity).thenComparingInt(r -> ruleIndex(r.rule())).thenComparing(ReportResult::rule)
            .thenComparing(r -> r.properties().getOrDefault("container", ""))
            .thenComparing(r -> r.properties().getOrDefault("field", ""));

    private static int ruleIndex(String rule) {
        int i = RuleRegistry.IDS.indexOf(rule);
        return i < 0 ? RuleRegistry.IDS.size() : i;
    }

    static String category(String rule) {
        return CATEGORIES.getOrDefault(rule, DEFAULT_CATEGORY);
    }

    /** Enforce is high, warn medium, audit low. */
    static Severity severity(Action action) {
        if (action == null) {
            return Severity.INFO;
        }
        return switch (action) {
            case ENFORCE -> Severity.HIGH;
            case WARN -> Severity.MEDIUM;
            case AUDIT -> Severity.LOW;
            case OFF -> Severity.INFO;
        };
    }

    private static SortedMap<String, String> properties(String container, String image, String field, Action action) {
        SortedMap<String, String> p = new TreeMap<>();
        if (container != null && !container.isEmpty()) {
            p.put("container", cut(container, MAX_PROPERTY));
        }
        if (image != null && !image.isEmpty()) {
            p.put("image", cut(image, MAX_PROPERTY));
        }
        if (field != null && !field.isEmpty()) {
            p.put("field", cut(field, MAX_PROPERTY));
        }
        if (action != null) {
            p.put("action", action.label());
        }
        return p;
    }

    /** Cuts to at most {@code max} characters, never inside a surrogate pair, ending with an ellipsis when cut. */
    static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }

    static long estimatedBytes(ReportResult r) {
        long n = RESULT_OVERHEAD + utf8(r.rule()) * 2L + utf8(r.category()) + utf8(r.message());
        for (Map.Entry<String, String> e : r.properties().entrySet()) {
            n += utf8(e.getKey()) + utf8(e.getValue()) + 6;
        }
        return n;
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static long hash(Scope scope, List<ReportResult> kept, Map<Outcome, Integer> summary, int omitted,
            int cap) {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        feed(d, scope.apiVersion(), scope.kind(), scope.namespace(), scope.name(), scope.uid());
        feed(d, Integer.toString(cap), Integer.toString(omitted));
        summary.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> feed(d, e.getKey().label(), Integer.toString(e.getValue())));
        for (ReportResult r : kept) {
            feed(d, r.rule(), r.category(), r.severity().label(), r.outcome().label(), r.message());
            r.properties().forEach((k, v) -> feed(d, k, v));
            feed(d, "|");
        }
        byte[] h = d.digest();
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | h[i] & 0xff;
        }
        return v;
    }

    /** Each value length-prefixed, so no two different contents digest the same bytes. */
    private static void feed(MessageDigest d, String... values) {
        for (String v : values) {
            byte[] b = (v == null ? "" : v).getBytes(StandardCharsets.UTF_8);
            d.update((byte) (b.length >>> 24));
            d.update((byte) (b.length >>> 16));
            d.update((byte) (b.length >>> 8));
            d.update((byte) b.length);
            d.update(b);
        }
    }
}
