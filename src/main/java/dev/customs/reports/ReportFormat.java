package dev.customs.reports;

import java.util.Locale;

/**
 * The report APIs Customs can write. OpenReports ({@code openreports.io/v1alpha1}) is where Kyverno (since 1.15),
 * Kubewarden (since 1.33) and Policy Reporter meet; the older {@code wgpolicyk8s.io/v1alpha2} PolicyReport is for
 * consumers that read only that. Both carry the same results; only OpenReports has a top-level {@code source} and a
 * {@code configuration}.
 */
public enum ReportFormat {
    OPENREPORTS("openreports.io", "v1alpha1", "Report", "reports"),
    WGPOLICYK8S("wgpolicyk8s.io", "v1alpha2", "PolicyReport", "policyreports");

    private final String group;
    private final String version;
    private final String kind;
    private final String plural;

    ReportFormat(String group, String version, String kind, String plural) {
        this.group = group;
        this.version = version;
        this.kind = kind;
        this.plural = plural;
    }

    public String group() {
        return group;
    }

    public String apiVersion() {
        return group + "/" + version;
    }

    public String kind() {
        return kind;
    }

    /** The resource name in API paths: {@code reports}, {@code policyreports}. */
    public String plural() {
        return plural;
    }

    /** The configuration value: {@code openreports} or {@code wgpolicyk8s}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The path of one report: {@code /apis/openreports.io/v1alpha1/namespaces/<ns>/reports/<name>}. */
    public String path(String namespace, String name) {
        return "/apis/" + apiVersion() + "/namespaces/" + namespace + "/" + plural + "/" + name;
    }

    /** The path of the reports of every namespace. */
    public String clusterPath() {
        return "/apis/" + apiVersion() + "/" + plural;
    }
}
