package dev.customs.admission;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

/**
 * The admission requests in flight, from the first byte of a request to its answer (or its refusal), so that
 * background work (the audit) can see when admission is busy and step aside, and when the first request was done (the
 * JIT warm-up waits for it). Counting costs admission one atomic increment, one decrement and one volatile read per
 * request; nothing here ever makes admission wait.
 */
@Singleton
public final class AdmissionLoad {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final CompletableFuture<Void> firstDone = new CompletableFuture<>();

    /** One request began. Every call is matched by exactly one {@link #left()}. */
    void entered() {
        inFlight.incrementAndGet();
    }

    /** One request was answered, refused or abandoned. */
    void left() {
        inFlight.decrementAndGet();
        if (!firstDone.isDone()) {
            firstDone.complete(null);
        }
    }

    /**
     * Completes when the first admission request since start-up was answered, refused or abandoned, on the thread that
     * finished it: what depends on it must hand its work to a thread of its own.
     */
    public CompletionStage<Void> firstDone() {
        return firstDone;
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
