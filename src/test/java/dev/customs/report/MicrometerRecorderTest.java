package dev.customs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/** What a Prometheus scrape of Customs' recorder shows. */
class MicrometerRecorderTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerRecorder recorder = new MicrometerRecorder(registry, false);

    @Test
    void registryRequestsAreAHistogramTheDashboardCanTakeQuantilesOf() {
        recorder.registryRequest("registry.example.com", Duration.ofMillis(40));
        recorder.registryRequest("registry.example.com", Duration.ofMillis(1500));
        String scrape = registry.scrape();
        // the dashboard's panel: histogram_quantile(0.99, sum by (le, registry) (rate(..._bucket[5m])))
        assertThat(scrape).contains(
                "customs_registry_request_duration_seconds_bucket{registry=\"registry.example.com\",le=\"0.05\",} 1.0",
                "customs_registry_request_duration_seconds_bucket{registry=\"registry.example.com\",le=\"2.0\",} 2.0",
                "customs_registry_request_duration_seconds_bucket{registry=\"registry.example.com\",le=\"+Inf\",} 2.0",
                "customs_registry_request_duration_seconds_count{registry=\"registry.example.com\",} 2.0");
    }

    @Test
    void aReplicaThatStopsAuditingWithdrawsItsAuditSeries() {
        recorder.auditLeader(true);
        recorder.auditRun(Map.of(new Recorder.AuditKey("latest-tag", "shop"), 2), Map.of("shop", 3), Instant.now());
        assertThat(registry.scrape()).contains("customs_audit_violations{namespace=\"shop\",rule=\"latest-tag\",} 2.0",
                "customs_audit_objects{namespace=\"shop\",} 3.0", "customs_audit_leader 1.0");

        recorder.auditStopped();
        recorder.auditLeader(false);
        assertThat(registry.scrape()).doesNotContain("customs_audit_violations{").doesNotContain("customs_audit_objects{")
                .contains("customs_audit_leader 0.0");
    }

    @Test
    void findingsImagesAndLayerVerdictsAreCountersThatAppearAtTheirFirstCount() {
        assertThat(registry.scrape()).doesNotContain("customs_violations").doesNotContain("customs_image_resolutions")
                .doesNotContain("customs_layer_verdicts");
        recorder.violation("latest-tag", "enforce", "shop");
        recorder.violation("latest-tag", "enforce", "other");
        recorder.violation("run-as-root", "warn", "shop");
        recorder.imageResolution("hit");
        recorder.imageResolution("hit");
        recorder.imageResolution("miss");
        recorder.layerVerdicts("hit", 3);
        recorder.layerVerdicts("hit", 4);
        recorder.layerVerdicts("miss", 0);
        String scrape = registry.scrape();
        assertThat(scrape).contains("# TYPE customs_violations_total counter",
                "customs_violations_total{action=\"enforce\",rule=\"latest-tag\",} 2.0",
                "customs_violations_total{action=\"warn\",rule=\"run-as-root\",} 1.0",
                "# TYPE customs_image_resolutions_total counter", "customs_image_resolutions_total{result=\"hit\",} 2.0",
                "customs_image_resolutions_total{result=\"miss\",} 1.0", "# TYPE customs_layer_verdicts_total counter",
                "customs_layer_verdicts_total{result=\"hit\",} 7.0").doesNotContain("result=\"miss\",} 0.0");

        MicrometerRecorder byNamespace = new MicrometerRecorder(namespaced, true);
        byNamespace.violation("latest-tag", "enforce", "shop");
        byNamespace.violation("latest-tag", "enforce", "shop");
        byNamespace.violation("latest-tag", "enforce", null);
        assertThat(namespaced.scrape()).contains(
                "customs_violations_total{action=\"enforce\",namespace=\"shop\",rule=\"latest-tag\",} 2.0",
                "customs_violations_total{action=\"enforce\",namespace=\"\",rule=\"latest-tag\",} 1.0");
    }

    private final PrometheusMeterRegistry namespaced = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

}
