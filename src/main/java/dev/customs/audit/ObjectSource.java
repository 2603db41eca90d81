package dev.customs.audit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.admission.WorkloadKind;

/**
 * Where the audit reads the objects it evaluates: one kind at a time, cluster-wide, a page at a time, so memory holds a
 * page and never the cluster. The API server is the source in a cluster; tests and the benchmark use synthetic ones.
 */
public interface ObjectSource {

    /**
     * Streams every object of {@code kind} into {@code sink}: first its metadata to {@link Sink#wants}, then, if
     * wanted, the whole object to {@link Sink#accept}.
     *
     * @throws ListingFailed when the listing could not be completed; objects already passed to the sink stay valid
     */
    void list(WorkloadKind kind, Sink sink) throws ListingFailed, InterruptedException;

    /** What the audit does with the objects of a listing. */
    interface Sink {

        /**
         * Called before each request the source makes (a page, one whole object), so the audit can step aside for
         * admission before it reads and parses more.
         */
        default void beforeRequest() throws InterruptedException {
        }

        /**
         * Decides from an object's {@code metadata} whether it is evaluated. A source may then fetch the whole object
         * (pods are listed as metadata, and only those no controller owns are read in full).
         */
        boolean wants(JsonNode metadata);

        /**
         * One wanted object, whole, with {@code apiVersion} and {@code kind} set.
         *
         * @return false to end the listing early
         */
        boolean accept(JsonNode object) throws InterruptedException;
    }

    /** A listing that could not be completed: the API refused or failed, or a page could not be read. */
    final class ListingFailed extends Exception {
        public ListingFailed(String message) {
            super(message);
        }
    }
}
