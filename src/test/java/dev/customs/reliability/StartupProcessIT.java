package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * What an operator sees of a start and a stop of the packaged Customs: a start-up log without Micrometer's duplicate
 * gauge warning, metrics without the warm-up review's refused images, and on Ctrl-C a line that says why the process
 * still answers for the shutdown delay.
 */
class StartupProcessIT {

    @Test
    void startAndStopAsAnOperatorSeesThem() throws Exception {
        // the warm-up runs after readiness; its DEBUG line says when it is done, so the metrics are read after it
        try (CustomsProcess customs = CustomsProcess.start(
                Map.of("quarkus.log.category.\"dev.customs.config.Lifecycle\".level", "DEBUG"),
                CustomsProcess.logFile("startup"))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!customs.log().contains("warm-up: ") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            String startLog = customs.log();
            assertThat(startLog).as("the warm-up finished").contains("warm-up: ");
            assertThat(startLog).contains("started in").doesNotContain("has been already registered")
                    .doesNotContain("warm-up review failed");
            HttpClient http = HttpClient.newHttpClient();
            String metrics = http.send(HttpRequest.newBuilder(customs.metrics()).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).as("the warm-up review is not counted").doesNotContain("customs_image_resolutions_total")
                    .doesNotContain("customs_admission_requests_total{");

            customs.sigint();
            assertThat(customs.awaitExit(Duration.ofSeconds(60))).as("exit code after Ctrl-C").isNotNull();
            assertThat(customs.log()).contains("shutting down: readiness is DOWN and admission is still answered for 5s")
                    .contains("then reviews in flight finish within 10s");
        }
    }
}
