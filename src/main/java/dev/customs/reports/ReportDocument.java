package dev.customs.reports;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.reports.ReportResult.Outcome;

/**
 * Renders a {@link WorkloadReport} as the object the API stores: an OpenReports {@code Report} or a wgpolicyk8s
 * {@code PolicyReport}, named {@code customs-<uid>} in the object's namespace, with the object as its {@code scope}
 * and its owner (so the garbage collector deletes the report with the object), the content hash and the number of
 * omitted results as annotations.
 */
public final class ReportDocument {

    /** The label every Customs report carries; the audit lists its own reports by it. */
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "customs";
    /** The annotation with {@link WorkloadReport#contentHashHex()}. */
    public static final String CONTENT_HASH_ANNOTATION = "customs.dev/content-hash";
    /** The annotation with the number of results left out to keep the report small. */
    public static final String OMITTED_ANNOTATION = "customs.dev/results-omitted";

    private ReportDocument() {
    }

    /**
     * @param format the API to write
     * @param report the content
     * @param now the timestamp of the results: when this content was first seen, since unchanged content is never
     *        rewritten
     */
    public static ObjectNode render(ReportFormat format, WorkloadReport report, Instant now, ObjectMapper mapper) {
        Scope scope = report.scope();
        ObjectNode o = mapper.createObjectNode();
        o.put("apiVersion", format.apiVersion());
        o.put("kind", format.kind());
        ObjectNode meta = o.putObject("metadata");
        meta.put("name", scope.reportName());
        meta.put("namespace", scope.namespace());
        meta.putObject("labels").put(MANAGED_BY_LABEL, MANAGED_BY);
        ObjectNode annotations = meta.putObject("annotations");
        annotations.put(CONTENT_HASH_ANNOTATION, report.contentHashHex());
        if (report.omitted() > 0) {
            annotations.put(OMITTED_ANNOTATION, Integer.toString(report.omitted()));
        }
        meta.putArray("ownerReferences").addObject().put("apiVersion", scope.apiVersion()).put("kind", scope.kind())
                .put("name", scope.name()).put("uid", scope.uid());
        if (format == ReportFormat.OPENREPORTS) {
            o.put("source", WorkloadReport.SOURCE);
        }
        o.putObject("scope").put("apiVersion", scope.apiVersion()).put("kind", scope.kind())
                .put("namespace", scope.namespace()).put("name", scope.name()).put("uid", scope.uid());
        if (format == ReportFormat.OPENREPORTS) {
            o.putObject("configuration").putObject("limits").put("maxResults", report.maxResults());
        }
        Map<Outcome, Integer> s = report.summary();
        o.putObject("summary").put("pass", s.getOrDefault(Outcome.PASS, 0)).put("fail", s.getOrDefault(Outcome.FAIL, 0))
                .put("warn", 0).put("error", s.getOrDefault(Outcome.ERROR, 0)).put("skip", s.getOrDefault(Outcome.SKIP, 0));
        ArrayNode results = o.putArray("results");
        for (ReportResult r : report.results()) {
            ObjectNode x = results.addObject();
            x.put("source", WorkloadReport.SOURCE);
            x.put("policy", r.rule());
            x.put("rule", r.rule());
            x.put("category", r.category());
            x.put("severity", r.severity().label());
            x.putObject("timestamp").put("seconds", now.getEpochSecond()).put("nanos", 0);
            x.put("result", r.outcome().label());
            x.put("message", r.message());
            if (!r.properties().isEmpty()) {
                ObjectNode p = x.putObject("properties");
                r.properties().forEach(p::put);
            }
        }
        return o;
    }
}
