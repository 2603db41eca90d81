package dev.customs.admission;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

/**
 * The admission requests in flight, from the first byte of a request to its answer (or its refusal), so that
 * background work (the audit) can see when admission is busy and step aside. Counting costs admission one atomic
 * increment and one decrement per request; nothing here ever makes admission wait.
 */
@Singleton
public final class AdmissionLoad {

    private final AtomicInteger inFlight = new AtomicInteger();

    /** One request began. Every call is matched by exactly one {@link #left()}. */
    void entered() {
        inFlight.incrementAndGet();
    }

    /** One request was answered, refused or abandoned. */
    void left() {
        inFlight.decrementAndGet();
    }

    /** Admission requests in flight now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** True while any admission request is in flight. */
    public boolean busy() {
        return inFlight.get() > 0;
    }
}
