package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What background work reads of admission: requests in flight, and whether the first one is done. */
class AdmissionLoadTest {

    @Test
    void theFirstRequestIsDoneWhenItLeavesNotWhenItEnters() {
        AdmissionLoad load = new AdmissionLoad();
        assertThat(load.firstDone().toCompletableFuture()).isNotDone();
        load.entered();
        assertThat(load.busy()).isTrue();
        assertThat(load.firstDone().toCompletableFuture()).as("still in flight").isNotDone();
        load.left();
        assertThat(load.busy()).isFalse();
        assertThat(load.firstDone().toCompletableFuture()).isDone();
        load.entered();
        load.left();
        assertThat(load.inFlight()).isZero();
        assertThat(load.firstDone().toCompletableFuture()).isDone();
    }
}
