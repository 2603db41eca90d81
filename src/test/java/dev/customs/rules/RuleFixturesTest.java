package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import dev.customs.admission.WorkloadKind;
import dev.customs.rules.RuleFixtures.Expected;
import dev.customs.rules.RuleFixtures.Fixture;
import dev.customs.rules.RuleFixtures.Outcome;

/**
 * Runs every fixture under {@code src/test/resources/rules/<rule-id>/} against its rule alone (see {@link RuleFixtures}
 * for the format). A pass-* case must give no violation of the rule; a fail-* case exactly the violations it lists,
 * field and message, in order. The layout is checked too: a rule without pass and fail cases, a folder that is not a
 * rule id, and a file that is not a case all fail.
 *
 * <p>
 * {@code ./mvnw -B test -Dtest=RuleFixturesTest -Dcustoms.fixtures.update=true} rewrites the {@code expect} blocks of fail-*
 * cases from what the rules report now; review the diff before committing it.
 */
class RuleFixturesTest {

    @Test
    void everyRuleHasPassAndFailCasesAndNothingElseIsInTheFixtureFolder() {
        assertThat(RuleFixtures.layoutProblems(RuleFixtures.root(), RuleRegistry.IDS)).isEmpty();
    }

    @Test
    void fixturesCoverEveryWorkloadKind() {
        Path root = RuleFixtures.root();
        Set<String> kinds = RuleRegistry.IDS.stream().filter(id -> Files.isDirectory(root.resolve(id)))
                .flatMap(id -> RuleFixtures.cases(root.resolve(id)).stream())
                .map(f -> RuleFixtures.load(f).object().path("kind").asText()).collect(Collectors.toSet());
        assertThat(kinds).containsAll(Arrays.stream(WorkloadKind.values()).map(WorkloadKind::kind).toList());
    }

    @TestFactory
    Stream<DynamicContainer> fixtures() {
        Path root = RuleFixtures.root();
        return RuleRegistry.IDS.stream().filter(id -> Files.isDirectory(root.resolve(id)))
                .map(id -> dynamicContainer(id, RuleFixtures.cases(root.resolve(id)).stream()
                        .map(f -> dynamicTest(f.getFileName().toString(), f.toUri(),
                                () -> check(id, f, RuleFixtures.updating())))));
    }

    /** Runs one case; throws an AssertionError that says everything that is wrong with it. */
    static void check(String ruleId, Path file, boolean update) {
        Fixture fx = RuleFixtures.load(file);
        boolean failCase = file.getFileName().toString().startsWith("fail-");
        List<String> problems = new ArrayList<>();
        if (fx.description() == null || fx.description().isBlank()) {
            problems.add("description is missing");
        }
        Outcome outcome = RuleFixtures.run(ruleId, fx);
        List<Violation> actual = outcome.violations();
        for (Violation v : actual) {
            problems.addAll(invariants(ruleId, v));
        }
        for (String secret : fx.secretValues()) {
            actual.stream().filter(v -> v.message().contains(secret) || v.field().contains(secret))
                    .forEach(v -> problems.add("a message shows the secret value \"" + secret + "\": " + v.message()));
            outcome.unverifiedReasons().stream().filter(r -> r.contains(secret))
                    .forEach(r -> problems.add("an unverified reason shows the secret value \"" + secret + "\""));
        }
        if (failCase && ruleId.equals(LeakedSecret.ID) && fx.secretValues().isEmpty()) {
            problems.add("a leaked-secret fail case lists its secretValues, so the test can check none is shown");
        }
        if (!outcome.unverifiedImages().equals(fx.expectUnverified())) {
            problems.add("unverified images: expected " + fx.expectUnverified() + " but the rule reported "
                    + outcome.unverifiedImages() + " " + outcome.unverifiedReasons());
        }
        if (!failCase) {
            if (!fx.expect().isEmpty()) {
                problems.add("a pass case must not have an expect block");
            }
            if (!actual.isEmpty()) {
                problems.add("expected no " + ruleId + " violation, got:\n" + render(actual));
            }
        } else {
            List<Expected> expected = fx.expect();
            if (update && !actual.isEmpty() && !matches(expected, actual)) {
                RuleFixtures.rewriteExpect(file, expected, actual);
                expected = RuleFixtures.load(file).expect();
            }
            if (actual.isEmpty()) {
                problems.add("expected " + ruleId + " violations, got none");
            } else if (expected.isEmpty()) {
                problems.add("a fail case lists its violations under expect; the rule reported:\n" + render(actual));
            } else if (!matches(expected, actual)) {
                problems.add("violations differ.\nexpected:\n" + renderExpected(expected) + "\nactual:\n"
                        + render(actual) + "\n(-D" + RuleFixtures.UPDATE_PROPERTY
                        + "=true rewrites the expect block)");
            }
            for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
                for (String part : expected.get(i).messageContains()) {
                    if (!actual.get(i).message().contains(part)) {
                        problems.add("violation " + i + " does not contain \"" + part + "\": " + actual.get(i)
                                .message());
                    }
                }
            }
            for (Expected e : expected) {
                if (e.field() == null || e.message() == null) {
                    problems.add("every expect entry has a field and a message");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(file + " (" + fx.description() + "):\n- " + String.join("\n- ", problems));
        }
    }

    /** What every violation of every rule must look like. */
    private static List<String> invariants(String ruleId, Violation v) {
        List<String> problems = new ArrayList<>();
        if (!v.rule().equals(ruleId)) {
            problems.add("violation of " + v.rule() + " reported by " + ruleId);
        }
        if (!v.message().startsWith("[" + ruleId + "] ")) {
            problems.add("message does not start with [" + ruleId + "]: " + v.message());
        }
        if (v.container() != null && !v.message().contains("\"" + v.container() + "\"")) {
            problems.add("message does not name the container \"" + v.container() + "\": " + v.message());
        }
        if (v.image() != null && !v.image().isEmpty() && !v.message().contains(v.image())) {
            problems.add("message does not name the image " + v.image() + ": " + v.message());
        }
        if (v.message().contains("\n")) {
            problems.add("message spans more than one line: " + v.message());
        }
        return problems;
    }

    private static boolean matches(List<Expected> expected, List<Violation> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!actual.get(i).field().equals(expected.get(i).field())
                    || !actual.get(i).message().equals(expected.get(i).message())) {
                return false;
            }
        }
        return true;
    }

    private static String render(List<Violation> vs) {
        return vs.stream().map(v -> "  - field: " + v.field() + "\n    message: " + RuleFixtures.quote(v.message()))
                .collect(Collectors.joining("\n"));
    }

    private static String renderExpected(List<Expected> es) {
        return es.stream()
                .map(e -> "  - field: " + e.field() + "\n    message: "
                        + (e.message() == null ? "<none>" : RuleFixtures.quote(e.message())))
                .collect(Collectors.joining("\n"));
    }

    // The harness itself: a check that cannot fail proves nothing.

    @Test
    void layoutCheckReportsMissingExtraAndMisnamedFiles(@TempDir Path root) throws IOException {
        write(root.resolve("run-as-root/pass-ok.yaml"), "");
        write(root.resolve("run-as-root/fail-root.yaml"), "");
        write(root.resolve("run-as-root/notes.yaml"), "");
        write(root.resolve("run-as-root/Pass-Upper.yaml"), "");
        write(root.resolve("run-as-root/pass-x.yml"), "");
        write(root.resolve("host-network/pass-off.yaml"), "");
        write(root.resolve("latest-tag/fail-nginx.yaml"), "");
        write(root.resolve("run-as-rot/pass-ok.yaml"), "");
        write(root.resolve("stray.yaml"), "");

        List<String> problems = RuleFixtures.layoutProblems(root, RuleRegistry.IDS);

        assertThat(problems).anyMatch(p -> p.startsWith("run-as-root/notes.yaml: not a fixture"))
                .anyMatch(p -> p.startsWith("run-as-root/Pass-Upper.yaml: not a fixture"))
                .anyMatch(p -> p.startsWith("run-as-root/pass-x.yml: not a fixture"))
                .contains("host-network/: no fail-*.yaml case", "latest-tag/: no pass-*.yaml case",
                        "stray.yaml: a file outside any rule folder", "docker-socket/: rule has no fixture folder",
                        "leaked-secret/: rule has no fixture folder")
                .anyMatch(p -> p.startsWith("run-as-rot/: not a rule id"))
                .noneMatch(p -> p.startsWith("run-as-root/: "));
        assertThat(RuleFixtures.layoutProblems(root.resolve("missing"), RuleRegistry.IDS)).hasSize(1);
    }

    private static final String HOST_NETWORK_POD = """
            object:
              apiVersion: v1
              kind: Pod
              metadata: {name: web}
              spec:
                hostNetwork: true
                containers:
                  - {name: app, image: "nginx:1.25"}
            """;

    @Test
    void failCaseWithAWrongMessageFails(@TempDir Path dir) throws IOException {
        Path f = write(dir.resolve("fail-wrong.yaml"), """
                description: wrong message
                expect:
                  - field: spec.hostNetwork
                    message: "[host-network] something else"
                """ + HOST_NETWORK_POD);
        assertThatThrownBy(() -> check(HostNetwork.ID, f, false)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("violations differ");
    }

    @Test
    void failCaseWithoutExpectationsFails(@TempDir Path dir) throws IOException {
        Path f = write(dir.resolve("fail-bare.yaml"), "description: no expect\n" + HOST_NETWORK_POD);
        assertThatThrownBy(() -> check(HostNetwork.ID, f, false)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("lists its violations under expect");
    }

    @Test
    void passCaseThatViolatesFails(@TempDir Path dir) throws IOException {
        Path f = write(dir.resolve("pass-not-really.yaml"), "description: violates\n" + HOST_NETWORK_POD);
        assertThatThrownBy(() -> check(HostNetwork.ID, f, false)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected no host-network violation");
    }

    @Test
    void unknownKeysInTheFixtureOrThePodSpecFail(@TempDir Path dir) throws IOException {
        Path key = write(dir.resolve("pass-key.yaml"), "description: typo\nexpectt: []\n" + HOST_NETWORK_POD);
        assertThatThrownBy(() -> check(HostNetwork.ID, key, false)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expectt");
        Path spec = write(dir.resolve("pass-spec.yaml"), """
                description: misspelt runAsUser
                object:
                  apiVersion: v1
                  kind: Pod
                  spec:
                    containers:
                      - name: app
                        image: "nginx:1.25"
                        securityContext: {runAsUsr: 1000}
                """);
        assertThatThrownBy(() -> check(HostNetwork.ID, spec, false)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("spec.containers[0].securityContext.runAsUsr");
    }

    @Test
    void unusedOrMissingCannedImagesFail(@TempDir Path dir) throws IOException {
        Path unused = write(dir.resolve("pass-unused.yaml"), """
                description: canned image nobody uses
                images:
                  "nginx:1.26": {user: "1000"}
                object:
                  apiVersion: v1
                  kind: Pod
                  spec:
                    containers:
                      - {name: app, image: "nginx:1.25"}
                """);
        assertThatThrownBy(() -> check(RunAsRoot.ID, unused, false)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("used by no container");
        Path missing = write(dir.resolve("pass-missing.yaml"), """
                description: no canned image for nginx:1.25
                object:
                  apiVersion: v1
                  kind: Pod
                  spec:
                    containers:
                      - {name: app, image: "nginx:1.25"}
                """);
        assertThatThrownBy(() -> check(RunAsRoot.ID, missing, false)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("unverified images: expected [] but the rule reported [nginx:1.25]");
    }

    @Test
    void aSecretValueInAMessageFails(@TempDir Path dir) throws IOException {
        // the container name carries the "secret", so the message cannot avoid it
        Path f = write(dir.resolve("fail-shown.yaml"), """
                description: secret in the container name
                secretValues: [hunter2]
                object:
                  apiVersion: v1
                  kind: Pod
                  spec:
                    hostNetwork: true
                    containers:
                      - {name: hunter2, image: "nginx:1.25"}
                """);
        assertThatThrownBy(() -> check(HostNetwork.ID, f, false)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("shows the secret value \"hunter2\"");
    }

    @Test
    void updateRewritesOnlyTheExpectBlock(@TempDir Path dir) throws IOException {
        Path f = write(dir.resolve("fail-update.yaml"), """
                description: hostNetwork on
                # a comment that must survive
                expect:
                  - field: spec.hostNetwork
                    message: "[host-network] stale"
                    messageContains: ["hostNetwork: true"]

                """ + HOST_NETWORK_POD);
        String before = Files.readString(f);

        check(HostNetwork.ID, f, true);

        String after = Files.readString(f);
        Fixture fx = RuleFixtures.load(f);
        assertThat(fx.expect()).hasSize(1);
        assertThat(fx.expect().get(0).message()).startsWith("[host-network] Pod \"web\" sets hostNetwork: true");
        assertThat(fx.expect().get(0).messageContains()).containsExactly("hostNetwork: true");
        assertThat(after).startsWith("description: hostNetwork on\n# a comment that must survive\nexpect:\n")
                .endsWith("\n" + HOST_NETWORK_POD).isNotEqualTo(before);
        check(HostNetwork.ID, f, false);
    }

    @Test
    void updateAddsAMissingExpectBlockAndStillChecksMessageContains(@TempDir Path dir) throws IOException {
        Path bare = write(dir.resolve("fail-bare.yaml"), "description: no expect yet\n" + HOST_NETWORK_POD);
        check(HostNetwork.ID, bare, true);
        assertThat(RuleFixtures.load(bare).expect()).extracting(Expected::field).containsExactly("spec.hostNetwork");

        Path wrong = write(dir.resolve("fail-intent.yaml"), """
                description: intent no longer met
                expect:
                  - field: spec.hostNetwork
                    message: "[host-network] stale"
                    messageContains: ["not in the message"]
                """ + HOST_NETWORK_POD);
        assertThatThrownBy(() -> check(HostNetwork.ID, wrong, true)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("does not contain \"not in the message\"");
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
