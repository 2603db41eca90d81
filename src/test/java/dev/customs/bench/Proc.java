package dev.customs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code /proc} says about a process and the machine. */
final class Proc {

    /** Clock ticks per second of {@code /proc/<pid>/stat} times; 100 on every Linux this runs on, asked anyway. */
    static final double TICKS = ticks();

    private Proc() {
    }

    /** utime + stime of {@code pid}, seconds. */
    static double cpuSeconds(long pid) {
        String[] f = stat(pid);
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICKS;
    }

    /**
     * The CPU time of the threads of {@code pid} now alive, nanoseconds: the first field of each thread's
     * {@code schedstat}, which the scheduler keeps in nanoseconds where {@code stat} rounds to clock ticks. A thread
     * that ends between two readings takes its time out of the second; Customs' threads live for minutes (pools keep
     * theirs for 60 s idle), so over one review that does not happen.
     *
     * @param nanos all threads
     * @param compilerNanos the JIT's compiler threads ({@link Bench#JIT_THREADS})
     */
    record CpuNanos(long nanos, long compilerNanos) {

        CpuNanos minus(CpuNanos before) {
            return new CpuNanos(nanos - before.nanos, compilerNanos - before.compilerNanos);
        }
    }

    static CpuNanos cpuNanos(long pid) {
        long all = 0;
        long compilers = 0;
        for (Path task : tasks(pid)) {
            try {
                String s = Files.readString(task.resolve("schedstat"));
                long ns = Long.parseLong(s.substring(0, s.indexOf(' ')));
                all += ns;
                if (threadName(Files.readString(task.resolve("comm")).strip()).startsWith(Bench.JIT_THREADS)) {
                    compilers += ns;
                }
            } catch (IOException | RuntimeException e) {
                // the thread ended while we looked
            }
        }
        return new CpuNanos(all, compilers);
    }

    /** cutime + cstime of this process: the CPU time of children it has waited for (the load generators), seconds. */
    static double childrenCpuSeconds() {
        String[] f = stat(ProcessHandle.current().pid());
        return (Long.parseLong(f[15]) + Long.parseLong(f[16])) / TICKS;
    }

    /** The fields of {@code /proc/<pid>/stat}, numbered from 0 as in proc(5) minus one, the command name skipped over. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name is in parentheses and may contain spaces: split after its closing parenthesis
            String rest = s.substring(s.lastIndexOf(')') + 2);
            String[] tail = rest.split(" ");
            String[] f = new String[tail.length + 2];
            f[0] = Long.toString(pid);
            f[1] = "comm";
            System.arraycopy(tail, 0, f, 2, tail.length);
            return f;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
        }
    }

    /**
     * CPU seconds of each thread of {@code pid}, summed by thread name with digits dropped ("VM Thread", "C2 CompilerThread").
     */
    static java.util.Map<String, Double> threadCpu(long pid) {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        for (Path task : tasks(pid)) {
            try {
                String s = Files.readString(task.resolve("stat"));
                String name = threadName(s.substring(s.indexOf('(') + 1, s.lastIndexOf(')')));
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS, Double::sum);
            } catch (IOException | RuntimeException e) {
                // the thread ended while we looked
            }
        }
        return out;
    }

    /** The directories of {@code pid}'s threads under {@code /proc/<pid>/task}. */
    private static java.util.List<Path> tasks(long pid) {
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/" + pid + "/task", e);
        }
    }

    /** A thread's kernel name with its digits as {@code N}, so a pool's threads share one: "C2 CompilerThreN". */
    private static String threadName(String comm) {
        return comm.replaceAll("[0-9]+", "N");
    }

    /** A {@code kB} line of {@code /proc/<pid>/status} ({@code VmHWM}, {@code VmRSS}), KiB. */
    static long status(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").strip());
                }
            }
            throw new IllegalStateException(key + " not in /proc/" + pid + "/status");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/status", e);
        }
    }

    /** The 1-, 5- and 15-minute load averages. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static double load1() {
        try {
            return Double.parseDouble(loadAverage().split(" ")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static double ticks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return Double.parseDouble(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
