package dev.customs.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The metrics Customs records, as a small interface so the admission, image and report code never touch Micrometer
 * directly. Label values are low-cardinality by contract: no pod, image or object names. Every method does nothing by
 * default, so a test double overrides only what it observes.
 */
public interface Recorder {

    /** One answered review. {@code decision}: allowed, denied, warned or error. */
    default void admission(String kind, String operation, String decision, Duration duration) {
    }

    /** One finding. {@code action}: enforce, warn, audit or exempted; {@code namespace} is used only when enabled. */
    default void violation(String rule, String action, String namespace) {
    }

    /**
     * One image resolution. {@code result}: hit (no request), refresh (only a {@code HEAD} of the tag after its TTL;
     * the manifest and config came from the cache), miss (fetched), stale (a stale digest served because the registry
     * failed) or error.
     */
    default void imageResolution(String result) {
    }

    /** One HTTP request to a registry host. */
    default void registryRequest(String registry, Duration duration) {
    }

    /**
     * One layer scan. {@code result}: clean, found, capped (stopped at the byte cap), failed or dropped (the queue was
     * full); {@code bytes}: compressed bytes read from the registry.
     */
    default void layerScan(String result, long bytes) {
    }

    /** {@code count} look-ups of layers' cached verdicts. {@code result}: hit or miss. */
    default void layerVerdicts(String result, int count) {
    }

    /** One Event. {@code result}: posted, aggregated, dropped or failed. */
    default void event(String result) {
    }

    /** An exemption was found expired (counted once per exemption). */
    default void exemptionExpired(String exemption) {
    }

    /**
     * The result of one background audit run: violations per rule and namespace, objects per namespace. Series that
     * are no longer reported are removed.
     */
    default void auditRun(Map<AuditKey, Integer> violations, Map<String, Integer> objects, Instant finishedAt) {
    }

    /** How long the last background audit run took. */
    default void auditDuration(Duration duration) {
    }

    /** The audit waited this long for admission requests in flight to finish (one wait, up to its cap). */
    default void auditYielded(Duration waited) {
    }

    /** One report the audit handled. {@code result}: created, updated, unchanged, deleted or failed. */
    default void auditReport(String result) {
    }

    /**
     * One admission request refused before it was evaluated. {@code reason}: busy (bytes in flight at their limit),
     * timeout (the body did not arrive in time), too-large or bad-request (an unusable Content-Length).
     */
    default void admissionRefused(String reason) {
    }

    /** Whether this replica runs the background audit (holds the leader election's Lease). */
    default void auditLeader(boolean leading) {
    }

    /** This replica stopped running the audit (another one leads): its audit series are removed. */
    default void auditStopped() {
    }

    /** One series of the audit gauge. */
    record AuditKey(String rule, String namespace) {
    }

    /** A recorder that records nothing, for plain unit tests and the CLI. */
    Recorder NONE = new Recorder() {
    };
}
