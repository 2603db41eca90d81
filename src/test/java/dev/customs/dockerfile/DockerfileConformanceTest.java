package dev.customs.dockerfile;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other linters' Dockerfile test cases, as Customs answers them: hadolint's DL3002, DL3006, DL3007, DL3025, DL3048 and
 * DL3049, and Trivy's DS001, DS002 and DS031. Each file under {@code src/test/resources/dockerfile/conformance/} is our
 * own Dockerfile written from the facts of one of their cases; its expect block names the source check, their verdict
 * ({@code theirs: fail|pass}), the Customs rule that overlaps, and Customs' verdict ({@code customs: fail|pass|error},
 * where error means the Dockerfile cannot be built). Where the verdicts differ, a {@code why:} line says why; where they
 * agree, there is none. The test checks Customs' verdict and that every difference is explained.
 */
class DockerfileConformanceTest {

    private static final Logger LOG = Logger.getLogger(DockerfileConformanceTest.class);
    static final Path ROOT = Path.of("src", "test", "resources", "dockerfile", "conformance");
    private static final Set<String> VERDICTS = Set.of("fail", "pass", "error");
    private static final Map<String, int[]> TALLY = new TreeMap<>();

    @TestFactory
    Stream<DynamicTest> everyCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : DockerfileFixtures.list(ROOT)) {
            tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), file.toUri(), () -> check(file)));
        }
        return tests.stream();
    }

    static void check(Path file) throws Exception {
        DockerfileFixtures.Fixture f = DockerfileFixtures.load(file);
        Map<String, String> k = f.other();
        List<String> problems = new ArrayList<>();
        for (String key : List.of("source", "theirs", "rule", "customs")) {
            if (!k.containsKey(key)) {
                problems.add("the expect block has no " + key + ":");
            }
        }
        if (!problems.isEmpty() || !VERDICTS.contains(k.get("customs")) || !Set.of("fail", "pass").contains(
                k.get("theirs")) || !DockerfileRulesTest.RULES.contains(k.get("rule"))) {
            problems.add("theirs is fail or pass, customs fail, pass or error, rule one of " + DockerfileRulesTest.RULES);
            throw new AssertionError(file + ":\n- " + String.join("\n- ", problems));
        }
        String rule = k.get("rule");
        String actual;
        String detail;
        try {
            List<DockerfileCheck.Finding> findings = DockerfileFixtures.run(f, rule::equals);
            actual = findings.isEmpty() ? "pass" : "fail";
            detail = findings.stream().map(x -> x.position() + " " + x.message()).reduce((a, b) -> a + "\n  " + b)
                    .orElse("no finding");
        } catch (DockerfileException e) {
            actual = "error";
            detail = e.getMessage();
        }
        if (!actual.equals(k.get("customs"))) {
            problems.add("Customs says " + actual + ", the file says " + k.get("customs") + ":\n  " + detail);
        }
        boolean differs = !k.get("customs").equals(k.get("theirs"));
        if (differs && !k.containsKey("why")) {
            problems.add("Customs' verdict differs from theirs: say why in a why: line");
        }
        if (!differs && k.containsKey("why")) {
            problems.add("the verdicts agree: drop the why: line");
        }
        String source = k.get("source").replaceFirst(" \\(.*$", "");
        if (file.toAbsolutePath().getParent().endsWith(ROOT)) { // the harness's own cases are not tallied
            synchronized (TALLY) {
                TALLY.computeIfAbsent(source, x -> new int[2])[differs ? 1 : 0]++;
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(file + " (" + f.description() + "):\n- " + String.join("\n- ", problems));
        }
    }

    @Test
    void aWrongVerdictOrAnUnexplainedDifferenceFails(@TempDir Path dir) throws Exception {
        Path wrong = Files.writeString(dir.resolve("x-wrong.Dockerfile"), """
                FROM scratch
                USER root
                # --- expect ---
                # description: root
                # source: x
                # theirs: fail
                # rule: run-as-root
                # customs: pass
                # why: made up
                """);
        assertThatThrownBy(() -> check(wrong)).hasMessageContaining("Customs says fail, the file says pass");
        Path unexplained = Files.writeString(dir.resolve("x-unexplained.Dockerfile"), """
                FROM scratch
                USER root
                # --- expect ---
                # description: root
                # source: x
                # theirs: pass
                # rule: run-as-root
                # customs: fail
                """);
        assertThatThrownBy(() -> check(unexplained)).hasMessageContaining("say why in a why: line");
    }

    @AfterAll
    static void summary() {
        TALLY.forEach((source, t) -> LOG.infof("[figure] %s: %d cases, Customs agrees on %d and differs on %d, each "
                + "difference explained", source, t[0] + t[1], t[0], t[1]));
    }
}
