package dev.customs.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import dev.customs.rules.LatestTag;
import dev.customs.rules.LeakedSecret;
import dev.customs.rules.NonRootConflict;
import dev.customs.rules.OciLabels;
import dev.customs.rules.RunAsRoot;
import dev.customs.rules.ShellFormEntrypoint;

/**
 * Every rule that answers on a Dockerfile, case by case: {@code src/test/resources/dockerfile/rules/<rule-id>/} holds
 * {@code pass-*.Dockerfile} and {@code fail-*.Dockerfile} cases (see {@link DockerfileFixtures} for their format). Each
 * case runs only its folder's rule; a pass case must find nothing, a fail case exactly its findings.
 */
class DockerfileRulesTest {

    static final Path ROOT = Path.of("src", "test", "resources", "dockerfile", "rules");
    static final List<String> RULES = List.of(RunAsRoot.ID, NonRootConflict.ID, ShellFormEntrypoint.ID, LatestTag.ID,
            OciLabels.ID, LeakedSecret.ID);
    private static final Pattern NAME = Pattern.compile("(pass|fail)-[a-z0-9]+(?:-[a-z0-9]+)*\\.Dockerfile");

    @TestFactory
    Stream<DynamicTest> everyCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String rule : RULES) {
            for (Path file : DockerfileFixtures.list(ROOT.resolve(rule))) {
                tests.add(DynamicTest.dynamicTest(rule + "/" + file.getFileName(), file.toUri(),
                        () -> check(rule, file)));
            }
        }
        return tests.stream();
    }

    static void check(String rule, Path file) throws Exception {
        DockerfileFixtures.Fixture f = DockerfileFixtures.load(file);
        List<DockerfileCheck.Finding> actual = DockerfileFixtures.run(f, rule::equals);
        List<String> problems = new ArrayList<>();
        for (DockerfileCheck.Finding a : actual) {
            if (!a.rule().equals(rule)) {
                problems.add("a finding of " + a.rule() + " from the " + rule + " check");
            }
            if (!a.message().startsWith("[" + rule + "] ") || a.message().contains("\n")) {
                problems.add("not one line starting with [" + rule + "]: " + a.message());
            }
            if (a.image() != null && !a.message().contains(a.image())) {
                problems.add("the message does not name the image " + a.image() + ": " + a.message());
            }
            f.secrets().stream().filter(s -> a.message().contains(s))
                    .forEach(s -> problems.add("a message shows the secret \"" + s + "\""));
        }
        boolean fail = file.getFileName().toString().startsWith("fail-");
        List<String> got = actual.stream().map(a -> a.position() + " " + a.message()).toList();
        List<String> want = f.findings().stream().map(DockerfileFixtures.Expected::toString).toList();
        if (fail && DockerfileFixtures.updating() && !actual.isEmpty() && !got.equals(want)) {
            DockerfileFixtures.rewrite(f, actual);
            want = got;
        }
        if (!fail && !want.isEmpty()) {
            problems.add("a pass case lists no findings");
        }
        if (fail && actual.isEmpty()) {
            problems.add("expected " + rule + " findings, got none");
        } else if (fail && want.isEmpty()) {
            problems.add("a fail case lists its findings; the check reported:\n  " + String.join("\n  ", got));
        } else if (!got.equals(want)) {
            problems.add("findings differ.\nexpected:\n  " + String.join("\n  ", want) + "\nactual:\n  "
                    + String.join("\n  ", got) + "\n(-D" + DockerfileFixtures.UPDATE_PROPERTY
                    + "=true rewrites the finding lines)");
        }
        if (fail && rule.equals(LeakedSecret.ID) && f.secrets().isEmpty() && f.other().get("no-secret") == null) {
            problems.add("a leaked-secret fail case lists its secret values (or says no-secret: why)");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(file + " (" + f.description() + "):\n- " + String.join("\n- ", problems));
        }
    }

    @Test
    void everyRuleHasPassAndFailCasesAndNothingElseIsThere() throws Exception {
        List<String> problems = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            dirs.map(p -> p.getFileName().toString()).filter(n -> !RULES.contains(n))
                    .forEach(n -> problems.add(n + ": not a rule that answers on a Dockerfile"));
        }
        for (String rule : RULES) {
            List<Path> files = Files.isDirectory(ROOT.resolve(rule)) ? DockerfileFixtures.list(ROOT.resolve(rule))
                    : List.of();
            files.stream().filter(p -> !NAME.matcher(p.getFileName().toString()).matches())
                    .forEach(p -> problems.add(rule + "/" + p.getFileName() + ": not pass-*.Dockerfile or "
                            + "fail-*.Dockerfile"));
            if (files.stream().noneMatch(p -> p.getFileName().toString().startsWith("pass-"))) {
                problems.add(rule + "/: no pass case");
            }
            if (files.stream().noneMatch(p -> p.getFileName().toString().startsWith("fail-"))) {
                problems.add(rule + "/: no fail case");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theHarnessFailsOnAWrongOrMissingFinding(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path wrong = Files.writeString(dir.resolve("fail-x.Dockerfile"), """
                FROM scratch
                # --- expect ---
                # description: wrong message
                # finding: 1:6 [run-as-root] something else
                """);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> check(RunAsRoot.ID, wrong))
                .hasMessageContaining("findings differ");
        Path pass = Files.writeString(dir.resolve("pass-x.Dockerfile"), """
                FROM scratch
                # --- expect ---
                # description: not really a pass
                """);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> check(RunAsRoot.ID, pass))
                .hasMessageContaining("findings differ");
        Path shown = Files.writeString(dir.resolve("fail-y.Dockerfile"), """
                FROM scratch
                ENV API_TOKEN=hunter2hunter2
                # --- expect ---
                # description: the secret must not be shown
                # secret: API_TOKEN
                """);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> check(LeakedSecret.ID, shown))
                .hasMessageContaining("a message shows the secret \"API_TOKEN\"");
    }
}
