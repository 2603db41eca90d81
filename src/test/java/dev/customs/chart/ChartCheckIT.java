package dev.customs.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.cli.CheckCommandIT;

/**
 * Our own chart, rendered as {@code helm template} renders it, passes {@code customs check}: zero findings. Images are
 * not fetched here (the release image is not in any registry this test can reach; {@link CustomsImageProcessIT} inspects a
 * real build of it), so unverified images are allowed silently and every pod-spec rule decides.
 */
class ChartCheckIT {

    @Test
    void theRenderedChartHasNoFindings() throws Exception {
        String rendered = Chart.template(null, Map.of());
        CheckCommandIT.Run r = CheckCommandIT.run(rendered, "check", "--offline", "-Dcustoms.registry.on-error=allow",
                "-o", "json", "-");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode out = r.json();
        assertThat(out.at("/summary/objects").asInt()).as("the Customs Deployment is checked").isEqualTo(1);
        assertThat(out.at("/objects/0/kind").asText()).isEqualTo("Deployment");
        assertThat(out.at("/objects/0/findings")).isEmpty();
        assertThat(out.at("/summary/skipped").asInt()).as("Service, webhook, RBAC, ...").isGreaterThan(5);
    }
}
