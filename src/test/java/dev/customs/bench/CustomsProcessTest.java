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

    @Test
    void fullCollectionsAreTheMajorPausesAndUnknownWithoutTheGcMetrics() {
        String gc = "jvm_gc_memory_allocated_bytes_total 1.2E9\n"
                + "jvm_gc_pause_seconds_count{action=\"end of minor GC\",cause=\"Allocation Failure\",gc=\"Copy\",} 812.0\n"
                + "jvm_gc_pause_seconds_sum{action=\"end of major GC\",cause=\"Allocation Failure\",gc=\"MarkSweepCompact\",} 0.9\n";
        assertThat(CustomsProcess.fullGcs(gc)).isZero();
        assertThat(CustomsProcess.fullGcs(gc
                + "jvm_gc_pause_seconds_count{action=\"end of major GC\",cause=\"Allocation Failure\",gc=\"MarkSweepCompact\",} 3.0\n"
                + "jvm_gc_pause_seconds_count{action=\"end of major GC\",cause=\"System.gc()\",gc=\"MarkSweepCompact\"} 1\n"))
                .isEqualTo(4);
        assertThat(CustomsProcess.fullGcs("customs_admission_reviews_total 3.0\n")).isNaN();
    }
}
