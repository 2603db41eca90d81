package dev.customs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class CustomsProcessTest {

    @Test
    void everyJvmTheBenchStartsGetsTheImagesFlagsButItsCache() {
        List<String> flags = CustomsProcess.JVM_FLAGS;
        assertThat(flags).contains("-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=56",
                "-XX:CompileThresholdScaling=2", "-XX:MaxRAM=512m", "-XX:-UsePerfData");
        assertThat(flags).noneMatch(f -> f.startsWith("-XX:AOTCache")).doesNotContain("-jar");
    }
}
