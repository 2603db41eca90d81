package dev.customs.reports;

/**
 * The object a report is about: a workload, or a pod that no evaluated controller owns. A report is named after the
 * object's uid and owned by it, so the garbage collector removes it with the object.
 *
 * @param apiVersion the object's apiVersion ({@code apps/v1})
 * @param kind its kind
 * @param namespace its namespace
 * @param name its name
 * @param uid its uid
 */
public record Scope(String apiVersion, String kind, String namespace, String name, String uid) {

    /** Report names start with this, so they never collide with another tool's reports named by uid alone. */
    public static final String NAME_PREFIX = "customs-";

    /** The report's name: {@code customs-<uid>}. */
    public String reportName() {
        return NAME_PREFIX + uid;
    }
}
