package dev.customs.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.reports.ReportFormat;

/**
 * Where the audit keeps its reports: the API server in a cluster. A store answers which reports Customs wrote and
 * what each said (by its content hash), writes one, and deletes one.
 */
public interface ReportStore {

    /**
     * Passes every report Customs wrote in {@code format} to {@code sink}, a page at a time.
     *
     * @throws StoreFailed when they cannot be listed ({@link StoreFailed#unavailable()} when the API is not installed
     *         or not permitted)
     */
    void existing(ReportFormat format, Existing sink) throws StoreFailed, InterruptedException;

    /** Creates or replaces the report (server-side apply). */
    void apply(ReportFormat format, ObjectNode report) throws StoreFailed, InterruptedException;

    /** Deletes a report; one that is already gone is not an error. */
    void delete(ReportFormat format, String namespace, String name) throws StoreFailed, InterruptedException;

    /** One existing report. */
    @FunctionalInterface
    interface Existing {
        /** @param contentHash the report's content hash annotation, or 0 when it has none that parses */
        void report(String namespace, String name, long contentHash);
    }

    /** A request the store could not carry out. */
    final class StoreFailed extends Exception {

        private final int code;

        public StoreFailed(int code, String message) {
            super(message);
            this.code = code;
        }

        /** The HTTP status, 0 when there was no answer. */
        public int code() {
            return code;
        }

        /** True when the report API is not installed (404) or not permitted (403): retrying this run is pointless. */
        public boolean unavailable() {
            return code == 404 || code == 403;
        }
    }
}
