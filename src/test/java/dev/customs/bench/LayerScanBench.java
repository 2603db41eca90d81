package dev.customs.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.customs.image.layers.LayerScanner;
import dev.customs.image.layers.LayerVerdict;
import dev.customs.image.layers.TestTar;

/**
 * Layer scan throughput: Customs' streaming scan of one realistic gzip layer (many small text files, source and
 * configuration, a few large binaries), in MB of compressed layer per CPU second on one thread, beside the machine's
 * own {@code gzip -d} on the same bytes (the physical limit: the scan has to decompress them too). Run alone with
 * {@code java -cp ... dev.customs.bench.LayerScanBench <work dir>}; {@link Bench} runs it as one section.
 */
final class LayerScanBench {

    /** One comparison: MB of compressed layer per CPU second, Customs and gzip -d. */
    record Result(long compressed, long uncompressed, int files, double scanMbPerCpuSecond, double gzipMbPerCpuSecond,
            double scanWallMbPerSecond, int findings) {
        double ratio() {
            return scanMbPerCpuSecond / gzipMbPerCpuSecond;
        }
    }

    private LayerScanBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/work"));
        Result r = run(work);
        System.out.println(markdown(r));
    }

    /** A layer like an application image's: about 150 MB of tar, a third text. */
    static byte[] layer() {
        SplittableRandom random = new SplittableRandom(42);
        TestTar t = TestTar.tar();
        StringBuilder words = new StringBuilder();
        String[] vocabulary = { "import", "function", "return", "const", "value", "config", "server", "version",
                "module", "export", "default", "string", "number", "true", "false", "null", "=", "{", "}", "(", ")",
                ";", "\n", "  " };
        for (int i = 0; i < 20_000; i++) {
            words.append(vocabulary[random.nextInt(vocabulary.length)]).append(' ');
        }
        byte[] text = words.toString().getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 12_000; i++) {
            int size = 200 + random.nextInt(8_000);
            int from = random.nextInt(text.length - size);
            String dir = switch (i % 4) {
                case 0 -> "app/node_modules/pkg" + (i % 700) + "/lib/";
                case 1 -> "usr/lib/python3.12/site-packages/mod" + (i % 300) + "/";
                case 2 -> "app/src/module" + (i % 50) + "/";
                default -> "usr/share/doc/package" + (i % 400) + "/";
            };
            t.file(dir + "file" + i + (i % 3 == 0 ? ".js" : i % 3 == 1 ? ".py" : ".txt"),
                    java.util.Arrays.copyOfRange(text, from, from + size));
        }
        byte[] binary = new byte[1 << 20];
        for (int i = 0; i < 6; i++) {
            random.nextBytes(binary);
            // partly compressible, like machine code and data
            for (int j = 0; j < binary.length; j += 3) {
                binary[j] = 0;
            }
            t.bigFile("usr/lib/x86_64-linux-gnu/libbig" + i + ".so", 12L << 20, binary);
        }
        t.file("app/.npmrc", "//registry.npmjs.org/:_authToken=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\n");
        return t.gzip();
    }

    static Result run(Path work) throws IOException, InterruptedException {
        byte[] blob = layer();
        Path file = work.resolve("layer.tar.gz");
        Files.write(file, blob);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // warm the JIT on the same code path, then measure the best of three
        LayerVerdict v = null;
        for (int i = 0; i < 2; i++) {
            v = LayerScanner.scan(new ByteArrayInputStream(blob), Long.MAX_VALUE);
        }
        double bestCpu = Double.MAX_VALUE;
        double bestWall = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                v = LayerScanner.scan(in, Long.MAX_VALUE);
            }
            bestWall = Math.min(bestWall, (System.nanoTime() - wall0) / 1e9);
            bestCpu = Math.min(bestCpu, (threads.getCurrentThreadCpuTime() - cpu0) / 1e9);
        }
        double gzipCpu = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            gzipCpu = Math.min(gzipCpu, gzipCpuSeconds(file));
        }
        double mb = blob.length / 1e6;
        return new Result(blob.length, v.bytes(), 12_007, mb / bestCpu, mb / gzipCpu, mb / bestWall, v.files().size());
    }

    /** CPU seconds (user + system) of {@code gzip -dc file > /dev/null}, from the shell's children's times. */
    static double gzipCpuSeconds(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "gzip -dc \"$0\" > /dev/null && cat /proc/$$/stat", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (p.waitFor() != 0) {
            throw new IOException("gzip -d failed: " + out);
        }
        // fields after the command name: state is field 3; cutime and cstime are fields 16 and 17
        String[] f = out.substring(out.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks / 100.0;
    }

    static String markdown(Result r) {
        List<String> lines = new ArrayList<>();
        lines.add("## Layer scan throughput (one thread)\n");
        lines.add(String.format(Locale.ROOT, "One gzip layer of %.1f MB compressed, %.1f MB of tar (%,d files: "
                + "node_modules, site-packages, sources, docs, six 12 MB shared libraries); best of three runs after "
                + "two warm-up scans; CPU time of the scanning thread, and of `gzip -dc > /dev/null` on the same file "
                + "(best of three).\n", r.compressed() / 1e6, r.uncompressed() / 1e6, r.files()));
        lines.add("| | MB of compressed layer per CPU second | wall MB/s |");
        lines.add("|---|---|---|");
        lines.add(String.format(Locale.ROOT, "| Customs' layer scan (decompress, tar, secret files) | %.1f | %.1f |",
                r.scanMbPerCpuSecond(), r.scanWallMbPerSecond()));
        lines.add(String.format(Locale.ROOT, "| `gzip -d` (the machine's own) | %.1f | |", r.gzipMbPerCpuSecond()));
        lines.add(String.format(Locale.ROOT, "\nThe scan runs at **%.0f%%** of `gzip -d`'s speed; it found %d "
                + "secret file(s) (the planted .npmrc).\n", 100 * r.ratio(), r.findings()));
        return String.join("\n", lines);
    }
}
