package dev.customs.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.customs.dockerfile.BuildPlan;
import dev.customs.dockerfile.Dockerfile;
import dev.customs.dockerfile.DockerfileCheck;
import dev.customs.dockerfile.DockerfileParser;
import dev.customs.dockerfile.StageEvaluator;
import dev.customs.rules.OciLabels;

/**
 * What a Dockerfile check costs: parse, evaluate the shipping stage and judge it with every rule, on one thread, in CPU
 * time. Three files: Customs' own {@code Dockerfile.jvm}, a large multi-stage build (40 stages, continuations,
 * here-documents, {@code ARG} substitution, {@code COPY --from} chains), and the largest file the parser accepts
 * (4 MiB). Run alone with {@code java -cp ... dev.customs.bench.DockerfileBench}; {@link Bench} runs it as one section.
 */
final class DockerfileBench {

    /** One file's figure: median and worst CPU time of one full check. */
    record Result(String what, int lines, int bytes, int stages, int findings, double medianMs, double maxMs) {
    }

    private DockerfileBench() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(markdown(run()));
    }

    static List<Result> run() throws Exception {
        List<Result> out = new ArrayList<>();
        Path own = Path.of("src/main/docker/Dockerfile.jvm");
        if (Files.isRegularFile(own)) {
            out.add(measure("Customs' own Dockerfile.jvm", Files.readString(own), 2_000));
        }
        out.add(measure("multi-stage, 40 stages", multiStage(40), 200));
        out.add(measure("largest accepted (4 MiB)", largest(), 5));
        return out;
    }

    /** A large, realistic build: a dependency stage per service, each copied into the next, heredocs and ARGs. */
    static String multiStage(int stages) {
        StringBuilder d = new StringBuilder("# syntax=docker/dockerfile:1\nARG NODE_VERSION=20.11.1\n");
        d.append("ARG REGISTRY=registry.example.com\n");
        for (int s = 0; s < stages; s++) {
            d.append("FROM ").append(s == 0 ? "${REGISTRY}/node:${NODE_VERSION}-slim" : "s" + (s - 1))
                    .append(" AS s").append(s).append('\n');
            d.append("ARG MODE=production\nENV NODE_ENV=${MODE:-development} SERVICE_").append(s).append("=svc")
                    .append(s).append('\n');
            d.append("WORKDIR /srv/svc").append(s).append('\n');
            d.append("COPY package.json package-lock.json ./\n");
            d.append("RUN --mount=type=cache,target=/root/.npm \\\n    npm ci --omit=dev \\\n")
                    .append("    && npm cache clean --force \\\n    && rm -rf /tmp/*\n");
            d.append("RUN <<EOF\nset -eu\nfor f in lib/*.js; do\n  node --check \"$f\"\ndone\necho built ")
                    .append(s).append("\nEOF\n");
            for (int i = 0; i < 40; i++) {
                d.append("COPY src/module").append(i).append(" ./src/module").append(i).append('\n');
            }
            d.append("LABEL org.opencontainers.image.title=\"svc").append(s)
                    .append("\" \\\n      org.opencontainers.image.version=\"1.").append(s).append("\"\n");
        }
        d.append("USER 10001\nENTRYPOINT [\"node\", \"server.js\"]\n");
        return d.toString();
    }

    /** The parser's limit, filled with ordinary instructions: the most one file can cost. */
    static String largest() {
        String block = multiStage(8);
        StringBuilder d = new StringBuilder(DockerfileParser.MAX_FILE);
        d.append(block);
        String run = "RUN echo the quick brown fox jumps over the lazy dog && true\n";
        while (d.length() + run.length() + 64 < DockerfileParser.MAX_FILE) {
            d.append(run);
        }
        d.append("CMD [\"node\", \"server.js\"]\n");
        return d.toString();
    }

    static Result measure(String what, String text, int runs) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        DockerfileCheck check = new DockerfileCheck(OciLabels.DEFAULT_REQUIRED);
        int findings = 0;
        int stages = 0;
        // warm the JIT on the same path
        for (int i = 0; i < Math.max(3, runs / 4); i++) {
            once(check, text);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            Outcome o = once(check, text);
            ms[i] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
            findings = o.findings();
            stages = o.stages();
        }
        Arrays.sort(ms);
        int lines = (int) text.chars().filter(c -> c == '\n').count();
        return new Result(what, lines, text.length(), stages, findings, ms[runs / 2], ms[runs - 1]);
    }

    private record Outcome(int stages, int findings) {
    }

    private static Outcome once(DockerfileCheck check, String text) throws Exception {
        Dockerfile d = DockerfileParser.parse("Dockerfile", text);
        BuildPlan plan = StageEvaluator.evaluate(d, null, Map.of());
        return new Outcome(plan.stages().size(), check.check(plan, id -> true).size());
    }

    static String markdown(List<Result> results) {
        List<String> lines = new ArrayList<>();
        lines.add("## Dockerfile check (one thread)\n");
        lines.add("Parse, evaluate the shipping stage and judge it with every rule (`customs check Dockerfile` "
                + "without the JVM start); CPU time of the checking thread, after warm-up runs of the same file.\n");
        lines.add("| file | lines | KB | stages | findings | median CPU ms | worst CPU ms |");
        lines.add("|---|---|---|---|---|---|---|");
        for (Result r : results) {
            lines.add(String.format(Locale.ROOT, "| %s | %,d | %,d | %d | %d | %.2f | %.2f |", r.what(), r.lines(),
                    r.bytes() / 1024, r.stages(), r.findings(), r.medianMs(), r.maxMs()));
        }
        return String.join("\n", lines) + "\n";
    }
}
