package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.registry.Reviews;

/**
 * The README's AppCDS steps for {@code java -jar} runs, on the test's own JDK: a training run of the class-path
 * launcher the build writes ({@code target/quarkus-app/customs-classpath.jar}) with {@code -XX:ArchiveClassesAtExit},
 * stopped with Ctrl-C, then a start with {@code -XX:SharedArchiveFile} and {@code -Xshare:on} (a JVM that cannot map
 * the archive refuses to start) that answers a review. Nearly every class that start loads comes from the archive:
 * under Quarkus' own class loader ({@code quarkus-run.jar}) a quarter of them did not (about a thousand classes read
 * from the jars again and 650 lambda classes made anew at every start, on JDK 17), which is why the README points an
 * archive at the launcher.
 */
class ClassDataArchiveProcessIT {

    private static final Pattern SOURCE = Pattern.compile("(?m)^\\[[^]]*]\\[info]\\[class,load] (\\S+) source: (.*)$");

    @Test
    void anArchiveOfTheClassPathLauncherHoldsNearlyEveryClassOfTheNextStart() throws Exception {
        Path launcher = CustomsProcess.packagedJar().resolveSibling("customs-classpath.jar");
        assertThat(launcher).as("the build writes the class-path launcher beside quarkus-run.jar").isRegularFile();
        Path dir = CustomsProcess.logFile("class-data-archive").resolveSibling("class-data-archive");
        Files.createDirectories(dir);
        Path archive = dir.resolve("customs.jsa");
        Files.deleteIfExists(archive);

        // the training run: a review, then the warm-up it sets off (its DEBUG line says when it is done), then Ctrl-C
        Map<String, String> training = Map.of("quarkus.shutdown.delay", "0s",
                "quarkus.log.category.\"dev.customs.config.Lifecycle\".level", "DEBUG");
        try (CustomsProcess customs = CustomsProcess.start(training, CustomsProcess.logFile("class-data-training"),
                launcher, List.of("-XX:ArchiveClassesAtExit=" + archive))) {
            assertDenied(customs);
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!customs.log().contains("warm-up: ") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(customs.log()).as("the warm-up finished").contains("warm-up: ");
            customs.sigint();
            assertThat(customs.awaitExit(Duration.ofMinutes(2))).as("the training run's exit").isNotNull();
        }
        assertThat(archive).as("the archive written at the training run's exit").isRegularFile();

        Path classes = dir.resolve("classes.log");
        Files.deleteIfExists(classes);
        try (CustomsProcess customs = CustomsProcess.start(Map.of("quarkus.shutdown.delay", "0s"),
                CustomsProcess.logFile("class-data-start"), launcher, List.of("-XX:SharedArchiveFile=" + archive,
                        "-Xshare:on", "-Xlog:class+load=info:file=" + classes))) {
            assertDenied(customs);
        }
        int all = 0;
        int archived = 0;
        int customsClasses = 0;
        int customsArchived = 0;
        Matcher m = SOURCE.matcher(Files.readString(classes));
        while (m.find()) {
            boolean shared = m.group(2).startsWith("shared objects file");
            all++;
            archived += shared ? 1 : 0;
            if (m.group(1).startsWith("dev.customs.")) {
                customsClasses++;
                customsArchived += shared ? 1 : 0;
            }
        }
        assertThat(all).as("classes the start loaded (-Xlog:class+load)").isGreaterThan(5000);
        assertThat(customsClasses).as("Customs' own classes among them").isGreaterThan(100);
        assertThat(archived).as("classes from the archive, of %d loaded", all).isGreaterThan(all * 9 / 10);
        assertThat(customsArchived).as("Customs' classes from the archive, of %d loaded", customsClasses)
                .isGreaterThan(customsClasses * 9 / 10);
    }

    /** A pod on the host's network, its image on a port nothing listens on: denied by a rule that needs no image. */
    private static void assertDenied(CustomsProcess customs) throws Exception {
        ObjectNode pod = Reviews.pod("default", "127.0.0.1:1/app/web:1.0");
        Reviews.spec(pod).put("hostNetwork", true);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(customs.validate())
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Reviews.review(pod))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode response = Reviews.MAPPER.readTree(r.body()).path("response");
        assertThat(response.path("allowed").asBoolean(true)).as(r.body()).isFalse();
        assertThat(Reviews.message(response)).contains("[host-network]");
    }
}
