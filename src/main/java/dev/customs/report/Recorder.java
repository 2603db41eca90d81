package dev.customs.report;

import java.time.Duration;

/**
 * The metrics Customs records, as a small interface so the admission, image and report code never touch Micrometer
 * directly. Label values are low-cardinality by contract: no pod, image or object names.
 */
public interface Recorder {

    /** One answered review. {@code decision}: allowed, denied, warned or error. */
    void admission(String kind, String operation, String decision, Duration duration);

    /** One finding. {@code action}: enforce, warn, audit or exempted; {@code namespace} is used only when enabled. */
    void violation(String rule, String action, String namespace);

    /** One image resolution. {@code result}: hit, miss, stale or error. */
    void imageResolution(String result);

    /** One HTTP request to a registry host. */
    void registryRequest(String registry, Duration duration);

    /** One Event. {@code result}: posted, aggregated, dropped or failed. */
    void event(String result);

    /** An exemption was found expired (counted once per exemption). */
    void exemptionExpired(String exemption);

    /**
     * The result of one background audit run: violations per rule and namespace, objects per namespace. Series that
     * are no longer reported are removed.
     */
    void auditRun(java.util.Map<AuditKey, Integer> violations, java.util.Map<String, Integer> objects,
            java.time.Instant finishedAt);

    /** One series of the audit gauge. */
    record AuditKey(String rule, String namespace) {
    }

    /** A recorder that records nothing, for plain unit tests and the CLI. */
    Recorder NONE = new Recorder() {
        @Override
        public void admission(String kind, String operation, String decision, Duration duration) {
        }

        @Override
        public void violation(String rule, String action, String namespace) {
        }

        @Override
        public void imageResolution(String result) {
        }

        @Override
        public void registryRequest(String registry, Duration duration) {
        }

        @Override
        public void event(String result) {
        }

        @Override
        public void exemptionExpired(String exemption) {
        }

        @Override
        public void auditRun(java.util.Map<AuditKey, Integer> violations, java.util.Map<String, Integer> objects,
                java.time.Instant finishedAt) {
        }
    };
}
