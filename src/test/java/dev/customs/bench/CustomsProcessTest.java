package dev.customs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CustomsProcessTest {

    @Test
    void everyJvmTheBenchStartsGetsTheImagesEntrypointFlagsButItsCache(@TempDir Path dir) throws IOException {
        Path properties = dir.resolve("application.properties");
        Files.writeString(properties, "quarkus.jib.jvm-entrypoint=/opt/customs/java/bin/java,-XX:AOTCache=/opt/c.aot,"
                + "-XX:+UseSerialGC,-XX:+SomeFlagAddedLater,-Dx=y,-jar,/opt/customs/app/customs-classpath.jar\n");

        assertThat(CustomsProcess.imageFlags(properties)).containsExactly("-XX:MaxRAM=512m", "-XX:+UseSerialGC",
                "-XX:+SomeFlagAddedLater", "-Dx=y", "-XX:-UsePerfData");
    }

    @Test
    void theBenchReadsTheProjectsOwnEntrypoint() {
        assertThat(CustomsProcess.JVM_FLAGS).contains("-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
                "-XX:MaxRAMPercentage=56").noneMatch(f -> f.startsWith("-XX:AOTCache"));
    }
}
