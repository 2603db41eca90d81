package dev.customs.report;

import java.time.Instant;

/**
 * Where Events go: the Kubernetes API, or the log when there is none (a local run). Called from the reporter's own
 * thread only, never from an admission thread.
 */
public interface EventSink {

    /** Creates a new Event and returns its name. */
    String create(ViolationReport report, Instant now);

    /** Adds one occurrence to an existing Event's series. */
    void addToSeries(String namespace, String eventName, int count, Instant now);
}
