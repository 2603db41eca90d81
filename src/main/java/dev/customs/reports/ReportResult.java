package dev.customs.reports;

import java.util.Locale;
import java.util.SortedMap;

/**
 * One result of a report, in the shape both report APIs share.
 *
 * @param rule the rule id, written as both {@code policy} and {@code rule}
 * @param category the rule's category
 * @param severity mapped from the rule's action in the object's namespace
 * @param outcome pass, fail, error or skip
 * @param message the finding's line ({@code [rule-id] problem: fix}), at most {@link WorkloadReport#MAX_MESSAGE}
 *        characters
 * @param properties container, image, field, action, exemption, where they apply
 */
public record ReportResult(String rule, String category, Severity severity, Outcome outcome, String message,
        SortedMap<String, String> properties) {

    /** A result's outcome, in the order reports list them: what needs doing first. */
    public enum Outcome {
        /** A finding the policy acts on (enforce, warn or audit). */
        FAIL,
        /** An image could not be inspected, so the rules that read it could not decide. */
        ERROR,
        /** A finding covered by an exemption. */
        SKIP,
        /** An active rule without any finding. */
        PASS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The severities of both report APIs. */
    public enum Severity {
        CRITICAL,
        HIGH,
        MEDIUM,
        LOW,
        INFO;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
