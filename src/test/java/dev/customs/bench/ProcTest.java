package dev.customs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcTest {

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void cpuNanosCountsThisThreadsWorkToTheNanosecondScale() {
        Proc.CpuNanos before = Proc.cpuNanos(PID);
        long spun = spin(50_000_000L);
        Proc.CpuNanos used = Proc.cpuNanos(PID).minus(before);
        // at least the 50 ms this thread spent on a CPU; ticks of /proc/<pid>/stat would only say 0.04 or 0.05 s
        assertThat(used.nanos()).as("spun %s", spun).isGreaterThanOrEqualTo(45_000_000L);
        assertThat(used.nanos() % 10_000_000L).isNotZero();
        assertThat(used.compilerNanos()).isBetween(0L, used.nanos());
    }

    @Test
    void theJitsCompilerThreadsAreFoundByName() {
        // this JVM has compiled code by now: its C1 and C2 compiler threads have used CPU since it started
        assertThat(Proc.cpuNanos(PID).compilerNanos()).isPositive();
    }

    /** Spins on this thread until it has used {@code nanos} of CPU; returns the loop's result so it is not removed. */
    private static long spin(long nanos) {
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        long until = bean.getCurrentThreadCpuTime() + nanos;
        long x = 0;
        while (bean.getCurrentThreadCpuTime() < until) {
            for (int i = 0; i < 10_000; i++) {
                x += i * 31L ^ x;
            }
        }
        return x;
    }
}
