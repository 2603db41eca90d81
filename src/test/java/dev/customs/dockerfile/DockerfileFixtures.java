package dev.customs.dockerfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.customs.rules.OciLabels;

/**
 * The Dockerfile fixtures under {@code src/test/resources/dockerfile/}: real Dockerfiles that end in a block of
 * comments saying what a check must find. The block starts with the line {@code # --- expect ---}; comments are
 * anywhere in a Dockerfile, so the file stays one that {@code docker build} and other linters read.
 *
 * <pre>
 * # --- expect ---
 * # description: what the case shows                  (required)
 * # target: stage                                     (optional: --target)
 * # build-arg: NAME=value                             (optional, repeatable: --build-arg)
 * # secret: value                                     (optional, repeatable: no message may contain it)
 * # finding: 12:6 [rule-id] the exact message         (every finding, in order; regenerated with
 *                                                      -Dcustoms.fixtures.update=true)
 * </pre>
 */
final class DockerfileFixtures {

    static final String MARKER = "# --- expect ---";
    static final String UPDATE_PROPERTY = "customs.fixtures.update";
    private static final Pattern KEY = Pattern.compile("^# ([a-z-]+): ?(.*)$");
    private static final Pattern FINDING = Pattern.compile("^(\\d+):(\\d+) (.*)$");

    private DockerfileFixtures() {
    }

    /** One expected finding. */
    record Expected(Position position, String message) {
        @Override
        public String toString() {
            return position + " " + message;
        }
    }

    /** A fixture: the Dockerfile text (all of it) and what the block says. */
    record Fixture(Path file, String text, String description, String target, Map<String, String> buildArgs,
            List<String> secrets, List<Expected> findings, Map<String, String> other) {
    }

    static Fixture load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int marker = text.indexOf("\n" + MARKER + "\n");
        if (marker < 0) {
            throw new AssertionError(file + ": no \"" + MARKER + "\" line ends the Dockerfile");
        }
        String description = null;
        String target = null;
        Map<String, String> buildArgs = new LinkedHashMap<>();
        List<String> secrets = new ArrayList<>();
        List<Expected> findings = new ArrayList<>();
        Map<String, String> other = new LinkedHashMap<>();
        for (String line : text.substring(marker + MARKER.length() + 2).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher m = KEY.matcher(line);
            if (!m.matches()) {
                throw new AssertionError(file + ": \"" + line + "\" is not \"# key: value\"");
            }
            String value = m.group(2);
            switch (m.group(1)) {
                case "description" -> description = value;
                case "target" -> target = value;
                case "build-arg" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new AssertionError(file + ": build-arg is NAME=value");
                    }
                    buildArgs.put(value.substring(0, eq), value.substring(eq + 1));
                }
                case "secret" -> secrets.add(value);
                case "finding" -> {
                    Matcher f = FINDING.matcher(value);
                    if (!f.matches()) {
                        throw new AssertionError(file + ": a finding is \"line:column message\", not " + value);
                    }
                    findings.add(new Expected(new Position(Integer.parseInt(f.group(1)),
                            Integer.parseInt(f.group(2))), f.group(3)));
                }
                default -> other.put(m.group(1), value);
            }
        }
        if (description == null) {
            throw new AssertionError(file + ": the expect block has no description");
        }
        return new Fixture(file, text, description, target, buildArgs, secrets, findings, other);
    }

    /** Parses and evaluates a fixture and runs the checks for which {@code active} holds. */
    static List<DockerfileCheck.Finding> run(Fixture f, java.util.function.Predicate<String> active)
            throws DockerfileException {
        Dockerfile d = DockerfileParser.parse(f.file().getFileName().toString(), f.text());
        BuildPlan plan = StageEvaluator.evaluate(d, f.target(), f.buildArgs());
        return new DockerfileCheck(OciLabels.DEFAULT_REQUIRED).check(plan, active);
    }

    static boolean updating() {
        return Boolean.getBoolean(UPDATE_PROPERTY);
    }

    /** Rewrites the {@code finding:} lines of a fixture from what the check reports now. */
    static void rewrite(Fixture f, List<DockerfileCheck.Finding> actual) {
        String text = f.text();
        int marker = text.indexOf("\n" + MARKER + "\n") + 1;
        StringBuilder out = new StringBuilder(text.substring(0, marker)).append(MARKER).append('\n');
        boolean written = false;
        for (String line : text.substring(marker + MARKER.length() + 1).split("\n")) {
            if (line.startsWith("# finding:")) {
                if (!written) {
                    actual.forEach(a -> out.append("# finding: ").append(a.position()).append(' ').append(a.message())
                            .append('\n'));
                    written = true;
                }
                continue;
            }
            if (!line.isEmpty()) {
                out.append(line).append('\n');
            }
        }
        if (!written) {
            actual.forEach(a -> out.append("# finding: ").append(a.position()).append(' ').append(a.message())
                    .append('\n'));
        }
        try {
            Files.writeString(f.file(), out.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
