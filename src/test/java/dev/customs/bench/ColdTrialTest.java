package dev.customs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.customs.bench.Bench.ColdTrial;
import dev.customs.image.registry.RegistryProxy.Seen;
import dev.customs.image.registry.RegistryProxy.Timed;

class ColdTrialTest {

    private static final long MS = 1_000_000;

    private static Timed get(String path, long fromMs, long toMs) {
        return new Timed(new Seen("GET", path, false), fromMs * MS, toMs * MS);
    }

    @Test
    void aLayerTheScanReadsDuringTheReviewIsNeitherItsRequestNorRegistryTime() {
        List<Timed> timed = List.of(get("/v2/p/web/manifests/1.4.2", 0, 50),
                get("/v2/p/web/blobs/sha256:c1", 50, 100),
                // the scan of web's layer, while the review waits for worker's config
                get("/v2/p/web/blobs/sha256:l1", 100, 160),
                get("/v2/p/worker/manifests/5.0.1", 0, 60),
                get("/v2/p/worker/blobs/sha256:c2", 60, 120));

        ColdTrial trial = ColdTrial.of(130, timed, Set.of("sha256:c1", "sha256:c2"), 10, 4, 125);

        assertThat(trial.requests()).isEqualTo(4);
        assertThat(trial.manifests()).isEqualTo(2);
        assertThat(trial.blobs()).isEqualTo(2);
        assertThat(trial.layers()).isEqualTo(1);
        assertThat(trial.busyMs()).isCloseTo(120, within(1e-9)); // 0 to 120, not to the layer's 160
        assertThat(trial.ownMs()).isCloseTo(10, within(1e-9));
        assertThat(trial.customsOwnMs()).isCloseTo(5, within(1e-9));
    }

    @Test
    void busyTimeIsTheUnionOfTheIntervals() {
        List<Timed> timed = List.of(get("/v2/a/manifests/1", 0, 10), get("/v2/b/manifests/1", 5, 20),
                get("/v2/a/blobs/sha256:c", 30, 40));

        assertThat(ColdTrial.of(45, timed, Set.of("sha256:c"), 0, 0, Double.NaN).busyMs()).isCloseTo(30,
                within(1e-9));
    }

    @Test
    void customsClockIsTheSumAndCountOfTheAdmissionTimer() {
        String metrics = "# TYPE customs_admission_duration_seconds histogram\n"
                + "customs_admission_duration_seconds_bucket{le=\"0.005\"} 3.0\n"
                + "customs_admission_duration_seconds_count 7.0\n"
                + "customs_admission_duration_seconds_sum 0.8125\n"
                + "customs_admission_duration_seconds_max 0.21\n";

        assertThat(CustomsProcess.admissionClock(metrics)).containsExactly(0.8125, 7.0);
        assertThat(CustomsProcess.admissionClock("customs_admission_reviews_total 3.0\n")).containsExactly(Double.NaN,
                Double.NaN);
    }
}
