package dev.customs.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Load with {@code hey} over HTTPS keep-alive (HTTP/1.1; hey does not verify the certificate), read back from its CSV
 * output: one row per answered request with its latency, whether it had to open a connection first, its status and its
 * send time.
 *
 * <p>
 * <b>Fixed rate.</b> {@code hey -q} limits each worker, and all workers of one hey start their tickers together, so
 * {@code -c 20 -q 10} sends bursts of 20 every 100 ms, not 200 evenly spaced requests a second. Instead the rate is
 * split over {@code k} hey processes of one connection each ({@code -c 1 -q rate/k}), started {@code 1/rate} apart, so
 * their sends interleave about every {@code 1/rate}. Each connection is closed-loop (hey waits for an answer before
 * its next tick), so a request can only be delayed by its predecessor when an answer takes longer than the
 * connection's interval {@code k/rate}: the run reports whether any did ("schedule kept"); if none did, the fixed
 * schedule was kept and no latency was hidden by waiting (coordinated omission).
 */
final class Hey {

    /** Nearest-rank percentile {@code p} (0-100) of ascending {@code sorted}; NaN when it is empty. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The requests of one run. */
    record Run(String label, double[] latenciesMs, int answered, int non200, int newConnections, double seconds,
            double loadGeneratorCpu, double load1) {

        /** Answered requests per second over the run. */
        double throughput() {
            return answered / seconds;
        }

        /** Nearest-rank percentile of the latencies of requests on an already open connection, ms. */
        double percentile(double p) {
            return Hey.percentile(latenciesMs, p);
        }

        double max() {
            return latenciesMs.length == 0 ? Double.NaN : latenciesMs[latenciesMs.length - 1];
        }

        /** Several runs as one: their latencies pooled, their counts and seconds summed, the highest load. */
        static Run pooled(String label, List<Run> runs) {
            double[] all = runs.stream().flatMapToDouble(r -> Arrays.stream(r.latenciesMs())).sorted()
                    .toArray();
            return new Run(label, all, runs.stream().mapToInt(Run::answered).sum(),
                    runs.stream().mapToInt(Run::non200).sum(), runs.stream().mapToInt(Run::newConnections).sum(),
                    runs.stream().mapToDouble(Run::seconds).sum(),
                    runs.stream().mapToDouble(Run::loadGeneratorCpu).sum(),
                    runs.stream().mapToDouble(Run::load1).max().orElse(Double.NaN));
        }
    }

    /** The name the bench certificate is issued for, as the apiserver would address the webhook's Service. */
    static final String SERVER_NAME = "customs.customs.svc";

    private final Path out;

    Hey(Path out) {
        this.out = out;
    }

    /** As many requests as {@code concurrency} connections get answered in {@code seconds}. */
    Run saturate(String label, URI url, Path body, int seconds, int concurrency)
            throws IOException, InterruptedException {
        return saturate(label, url, body, seconds, concurrency, 0, () -> {
        }).run();
    }

    /** A saturation run and how many of its requests were sent from {@code steadyFrom} seconds on. */
    record Steady(Run run, int answeredFrom) {
    }

    /**
     * A saturation run that calls {@code atSteady} {@code steadyFrom} seconds after hey started, once its connections
     * are open (their TCP and TLS handshakes are done in the first few milliseconds), and counts the requests sent from
     * then on: what the reviews alone cost is read between {@code atSteady} and the end of the run.
     */
    Steady saturate(String label, URI url, Path body, int seconds, int concurrency, double steadyFrom,
            Runnable atSteady) throws IOException, InterruptedException {
        double cpu0 = Proc.childrenCpuSeconds();
        double load = Proc.load1();
        Path csv = out.resolve(label + ".csv");
        long t0 = System.nanoTime();
        Process p = start(List.of("-z", seconds + "s", "-c", Integer.toString(concurrency)), url, body, csv);
        if (steadyFrom > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, t0 + (long) (steadyFrom * 1e9) - System.nanoTime()));
            atSteady.run();
        }
        await(p, seconds + 60);
        double wall = (System.nanoTime() - t0) / 1e9;
        Run r = parse(label, List.of(csv), wall, Proc.childrenCpuSeconds() - cpu0, load);
        Span span = span(csv, wall, steadyFrom);
        return new Steady(new Run(label, r.latenciesMs(), r.answered(), r.non200(), r.newConnections(),
                span.seconds(), r.loadGeneratorCpu(), load), span.sentFrom());
    }

    /** Several payloads at once, one hey per payload with {@code concurrency} connections each, for warming up. */
    void mixed(String label, URI url, List<Path> bodies, int seconds, int concurrency)
            throws IOException, InterruptedException {
        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            runs.add(start(List.of("-z", seconds + "s", "-c", Integer.toString(concurrency)), url, bodies.get(i),
                    out.resolve(label + "-" + i + ".csv")));
        }
        for (Process p : runs) {
            await(p, seconds + 60);
        }
    }

    /** {@code total} requests at {@code rate} per second over {@code connections} staggered single-connection hey runs. */
    Run fixedRate(String label, URI url, Path body, int rate, int total, int connections)
            throws IOException, InterruptedException {
        if (rate % connections != 0 || total % connections != 0) {
            throw new IllegalArgumentException("rate and total must divide by the number of connections");
        }
        double cpu0 = Proc.childrenCpuSeconds();
        double load = Proc.load1();
        List<Process> runs = new ArrayList<>();
        List<Path> csvs = new ArrayList<>();
        long stagger = TimeUnit.SECONDS.toNanos(1) / rate;
        long t0 = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            long due = t0 + i * stagger;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            Path csv = out.resolve(label + "-" + i + ".csv");
            csvs.add(csv);
            runs.add(start(List.of("-n", Integer.toString(total / connections), "-c", "1", "-q",
                    Integer.toString(rate / connections)), url, body, csv));
        }
        for (Process p : runs) {
            await(p, total / rate + 60);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        return parse(label, csvs, wall, Proc.childrenCpuSeconds() - cpu0, load);
    }

    private Process start(List<String> args, URI url, Path body, Path csv) throws IOException {
        // -host: hey 0.1.4 sends the Host header, port included, as TLS server name, which is not a valid SNI host
        // name and which Java's TLS refuses; the apiserver sends the Service's DNS name
        List<String> cmd = new ArrayList<>(List.of("hey", "-host", SERVER_NAME, "-m", "POST", "-T",
                "application/json", "-D", body.toString(), "-o", "csv"));
        cmd.addAll(args);
        cmd.add(url.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(csv.toFile())
                .redirectError(csv.resolveSibling(csv.getFileName() + ".err").toFile()).start();
        Bench.pids().add(p.pid());
        return p;
    }

    private static void await(Process p, long seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("hey did not finish within " + seconds + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("hey exited with " + p.exitValue());
        }
    }

    /**
     * The rows of hey's CSV ({@code response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,
     * status-code,offset}, seconds). Requests that opened their connection (DNS+dialup above zero: TCP and TLS
     * handshakes) are counted but left out of the latencies, which are those of a warm keep-alive connection, as the
     * apiserver keeps them.
     */
    private static Run parse(String label, List<Path> csvs, double seconds, double cpu, double load)
            throws IOException {
        List<Double> lat = new ArrayList<>();
        int answered = 0;
        int non200 = 0;
        int fresh = 0;
        for (Path csv : csvs) {
            for (String line : Files.readAllLines(csv)) {
                if (line.isBlank() || line.startsWith("response-time")) {
                    continue;
                }
                String[] f = line.split(",");
                double rt = Double.parseDouble(f[0]);
                double dial = Double.parseDouble(f[1]);
                String code = f[6];
                answered++;
                if (!code.equals("200")) {
                    non200++;
                }
                if (dial > 0) {
                    fresh++;
                } else {
                    lat.add(rt * 1000);
                }
            }
        }
        double[] sorted = lat.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return new Run(label, sorted, answered, non200, fresh, seconds, cpu, load);
    }

    /**
     * From the first send to the last answer, as hey's offsets say (the process's wall time when they say nothing), and
     * how many requests were sent at or after {@code from} seconds. hey's offsets count from its own start, a few
     * milliseconds after the process was started: a window counted from {@code from} starts that much after readings
     * taken then, which makes the CPU per review a little pessimistic, never flattering.
     */
    private static Span span(Path csv, double wall, double from) throws IOException {
        double first = Double.MAX_VALUE;
        double last = 0;
        int sentFrom = 0;
        for (String line : Files.readAllLines(csv)) {
            if (line.isBlank() || line.startsWith("response-time")) {
                continue;
            }
            String[] f = line.split(",");
            double offset = Double.parseDouble(f[7]);
            first = Math.min(first, offset);
            last = Math.max(last, offset + Double.parseDouble(f[0]));
            if (offset >= from) {
                sentFrom++;
            }
        }
        return new Span(last > first ? last - first : wall, sentFrom);
    }

    private record Span(double seconds, int sentFrom) {
    }
}
