package dev.customs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.customs.dockerfile.BuildPlan;
import dev.customs.dockerfile.Dockerfile;
import dev.customs.dockerfile.DockerfileCheck;
import dev.customs.dockerfile.DockerfileException;
import dev.customs.dockerfile.DockerfileParser;
import dev.customs.dockerfile.Position;
import dev.customs.dockerfile.StageEvaluator;
import dev.customs.policy.Action;
import dev.customs.policy.Decision;
import dev.customs.policy.Policy;
import dev.customs.policy.Requester;
import dev.customs.rules.Evaluation;
import dev.customs.rules.LatestTag;
import dev.customs.rules.OciLabels;
import dev.customs.rules.RuleRegistry;

/**
 * Dockerfiles as an input of {@code customs check}: which files are Dockerfiles, and their check through the same
 * policy (actions, exemptions) as manifests. The rules are the {@code dockerfile} package's; this class only reads files
 * and hands the findings to the reports.
 *
 * <p>
 * A Dockerfile has no namespace, so namespace-scoped exemptions do not cover its findings; image exemptions cover
 * {@code latest-tag} findings about that image. {@code oci-labels} findings are at most warnings: the build may add the
 * labels itself ({@code --label}, {@code --annotation}).
 */
final class DockerfileInput {

    /** The kind reports show for a Dockerfile. */
    static final String KIND = "Dockerfile";

    private final Policy policy;
    private final DockerfileCheck check;
    private final String target;
    private final Map<String, String> buildArgs;

    DockerfileInput(Policy policy, RuleRegistry registry, String target, Map<String, String> buildArgs) {
        this.policy = policy;
        List<String> labels = registry.ids().contains(OciLabels.ID)
                ? ((OciLabels) registry.get(OciLabels.ID)).required()
                : OciLabels.DEFAULT_REQUIRED;
        LatestTag latest = registry.ids().contains(LatestTag.ID) ? (LatestTag) registry.get(LatestTag.ID)
                : new LatestTag();
        this.check = new DockerfileCheck(labels, latest);
        this.target = target;
        this.buildArgs = Map.copyOf(buildArgs);
    }

    /**
     * Whether a file is a Dockerfile by its name: {@code Dockerfile}, {@code Containerfile}, {@code *.Dockerfile},
     * {@code *.Containerfile}, {@code Dockerfile.*} and {@code Containerfile.*} (but not their {@code .dockerignore}).
     */
    static boolean isDockerfile(Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString();
        String lower = n.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".dockerignore") || lower.endsWith(".containerignore")) {
            return false;
        }
        return n.equals("Dockerfile") || n.equals("Containerfile") || n.endsWith(".Dockerfile")
                || n.endsWith(".Containerfile") || n.startsWith("Dockerfile.") || n.startsWith("Containerfile.")
                || lower.equals("dockerfile") || lower.equals("containerfile");
    }

    /**
     * Reads a Dockerfile up to the parser's limit.
     *
     * @throws InputError when it is larger; the message says so without the file's name
     */
    static String read(InputStream in) throws IOException, InputError {
        byte[] b = in.readNBytes(DockerfileParser.MAX_FILE + 1);
        if (b.length > DockerfileParser.MAX_FILE) {
            throw new InputError("larger than " + DockerfileParser.MAX_FILE / (1024 * 1024)
                    + " MiB, more than any Dockerfile needs");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Checks one Dockerfile: parsed, evaluated for the target, judged by the active rules, decided by the policy.
     *
     * @throws DockerfileException when it cannot be parsed or built; the message names the file, line and column
     */
    Checker.Checked check(String file, String text) throws DockerfileException {
        Dockerfile d = DockerfileParser.parse(file, text);
        BuildPlan plan = StageEvaluator.evaluate(d, target, buildArgs);
        Predicate<String> active = policy.active("");
        List<DockerfileCheck.Finding> findings = check.check(plan, active);
        Map<String, Locations.Position> fields = new LinkedHashMap<>();
        findings.forEach(f -> fields.put(f.field(),
                new Locations.Position(f.position().line(), f.position().column())));
        Decision decided = policy.decide(new Evaluation(findings.stream().map(DockerfileCheck.Finding::violation)
                .toList(), List.of()), Requester.namespace(""));
        List<Decision.Finding> capped = new ArrayList<>();
        for (Decision.Finding f : decided.findings()) {
            capped.add(f.rule().equals(OciLabels.ID) && f.action() == Action.ENFORCE
                    ? new Decision.Finding(f.rule(), f.container(), f.image(), f.field(), f.message(), Action.WARN,
                            f.exemption())
                    : f);
        }
        String stage = plan.target().name() != null ? plan.target().name() : plan.target().label();
        Position from = plan.target().from().position();
        Locations.Position start = new Locations.Position(from.line(), from.column());
        ManifestReader.Document where = new ManifestReader.Document(file, from.line(),
                JsonNodeFactory.instance.objectNode().put("kind", KIND), new Locations(fields, "", start));
        return new Checker.Checked(where, KIND, "", stage, new Decision(capped));
    }
}
