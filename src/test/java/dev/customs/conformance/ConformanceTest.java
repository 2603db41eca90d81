package dev.customs.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.customs.admission.AdmissionHandler;
import dev.customs.admission.BadAdmissionRequest;
import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import dev.customs.image.ImageResolver;
import dev.customs.image.InMemoryImageInspector;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.rules.DockerSocket;
import dev.customs.rules.HostNetwork;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.LatestTag;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import dev.customs.rules.RunAsRoot;
import dev.customs.rules.Violation;

/**
 * Runs the conformance corpus of {@code ../shared/conformance} (other projects' test cases for our pod-spec rules) the
 * way its README says: per rule, never the overall decision.
 *
 * <p>
 * Targets are every row of every {@code <source>/expected.tsv} and {@code <source>/derived.tsv} except their
 * {@code root} rows, plus every row of {@code root-with-root-images.tsv}, which replaces them. Each object is mapped
 * by its own {@code kind} and evaluated by every default rule, with every image (even a container without one)
 * answered by a canned config whose {@code User} is empty, i.e. root, as {@code root-with-root-images.tsv} assumes.
 * Kinds Customs does not evaluate (OpenShift's DeploymentConfig) have no findings. AdmissionReview files go through
 * {@link AdmissionHandler#review} so the real request path decides (an UPDATE without {@code oldObject} is
 * evaluated); they are abridged gator inputs, so the two fields the API server always sends and they leave out,
 * {@code request.uid} and {@code request.kind}, are filled in from the object.
 *
 * <p>
 * A row whose verdict Customs deliberately does not share is listed, with the reason, in
 * {@code src/test/resources/conformance-exceptions.tsv}. Any other mismatch fails, and so does an exception whose row
 * now matches. {@code conditional.tsv} rows depend on options the sources have and Customs does not; they are printed,
 * not asserted.
 *
 * <p>
 * The corpus lives beside the project in the shared workspace and CI, not in a clone of the repository: without it
 * every test here is skipped, with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceTest {

    private static final Logger LOG = Logger.getLogger(ConformanceTest.class);

    /** The corpus rule names and the Customs rule ids they stand for. */
    static final Map<String, String> RULES = orderedRules();

    /** Target rows per corpus rule name; a change in the corpus must be noticed here first. */
    static final Map<String, Integer> EXPECTED_ROWS = Map.of("root", 291, "host-network", 123, "docker-socket", 75,
            "latest-tag", 44);

    static final String ROOT_IMAGES_TSV = "root-with-root-images.tsv";
    static final String EXCEPTIONS = "/conformance-exceptions.tsv";

    /** Every image runs as root: an image config with an empty {@code User}. */
    static final ImageFacts ROOT_IMAGE = ImageFacts.Resolved.of(ImageConfig.withUser(""));

    private final ObjectMapper json = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private final ObjectMapper yaml = YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private final RuleEngine engine = new RuleEngine(RuleRegistry.defaults());
    private final PodViewMapper views = new PodViewMapper(json);
    private final AdmissionHandler handler = new AdmissionHandler(json, engine, Policy.enforceAll(),
            new ImageResolver(new InMemoryImageInspector(ROOT_IMAGE), Duration.ofSeconds(10)),
            new Reporter(Recorder.NONE, null, false));
    private final ImageLookup rootImages = c -> ROOT_IMAGE;

    private Path corpus;
    private List<Row> targets;
    private List<Row> conditional;
    private Map<String, Deliberate> exceptions;
    private final Map<String, Outcome> outcomes = new HashMap<>();

    /** One verdict of the corpus: {@code file} is {@code <source>/<case>.yaml}, {@code rule} the corpus name. */
    record Row(String file, String rule, String expected, String origin) {

        String source() {
            return file.substring(0, file.indexOf('/'));
        }

        String key() {
            return file + "\t" + rule;
        }

        @Override
        public String toString() {
            return file + " [" + rule + "] " + expected;
        }
    }

    /** A row Customs deliberately answers differently, with the reason. */
    record Deliberate(String file, String rule, String expected, String reason) {

        String key() {
            return file + "\t" + rule;
        }
    }

    /**
     * What Customs found on one corpus file: the ids of the rules that fired, every violation message, and an error
     * when the file could not be evaluated at all.
     */
    record Outcome(Set<String> fired, List<String> messages, String error) {

        static Outcome of(List<Violation> violations) {
            return new Outcome(violations.stream().map(Violation::rule).collect(Collectors.toSet()),
                    violations.stream().map(Violation::message).toList(), null);
        }

        static Outcome error(String why) {
            return new Outcome(Set.of(), List.of(), why);
        }

        String verdict(String ruleId) {
            return error != null ? "error" : fired.contains(ruleId) ? "deny" : "allow";
        }

        List<String> messagesOf(String ruleId) {
            return messages.stream().filter(m -> m.startsWith("[" + ruleId + "]")).toList();
        }
    }

    /**
     * Evaluates the corpus once. Without it, nothing is read here and {@link #requireCorpus} skips every test: an
     * assumption that fails in {@code @BeforeAll} would make surefire report no test at all, not skipped ones.
     */
    @BeforeAll
    void evaluateCorpus() throws IOException {
        Path dir = locateCorpus();
        if (!Files.isDirectory(dir)) {
            return;
        }
        corpus = dir;
        targets = readTargets();
        conditional = readConditional();
        exceptions = readExceptions();
        for (Row row : targets) {
            outcomes.computeIfAbsent(row.file(), this::evaluate);
        }
        for (Row row : conditional) {
            outcomes.computeIfAbsent(row.file(), this::evaluate);
        }
        LOG.info(report());
    }

    @BeforeEach
    void requireCorpus() {
        assumeTrue(corpus != null, () -> "conformance corpus not found at " + locateCorpus()
                + ": it lives in the shared workspace beside the project (../shared/conformance), present in CI "
                + "but not in a plain clone; the conformance cases were not run");
    }

    @Test
    void targetRowsPerRuleAreAsCounted() {
        Map<String, Integer> counts = new TreeMap<>();
        targets.forEach(r -> counts.merge(r.rule(), 1, Integer::sum));
        assertEquals(new TreeMap<>(EXPECTED_ROWS), counts,
                "the corpus changed: target rows per rule differ from the counts this test was written for");
        assertEquals(533, targets.size());
    }

    @TestFactory
    Stream<DynamicTest> everyTargetRowMatches() {
        return targets.stream().map(row -> DynamicTest.dynamicTest(row.toString(), () -> check(row)));
    }

    @Test
    void exceptionsReferenceOnlyExistingCorpusFiles() {
        List<String> missing = exceptions.values().stream().map(Deliberate::file)
                .filter(f -> !Files.isRegularFile(corpus.resolve(f))).toList();
        assertTrue(missing.isEmpty(), "conformance-exceptions.tsv names files the corpus does not have: " + missing);
    }

    @Test
    void everyExceptionNamesATargetRowWithItsExpectedVerdict() {
        Map<String, Row> byKey = new HashMap<>();
        targets.forEach(r -> byKey.put(r.key(), r));
        List<String> unknown = new ArrayList<>();
        for (Deliberate d : exceptions.values()) {
            Row row = byKey.get(d.key());
            if (row == null || !row.expected().equals(d.expected())) {
                unknown.add(d.file() + " [" + d.rule() + "] " + d.expected()
                        + (row == null ? ": no such target row" : ": the corpus now expects " + row.expected()));
            }
        }
        assertTrue(unknown.isEmpty(), "stale entries in conformance-exceptions.tsv: " + unknown);
    }

    private void check(Row row) {
        Outcome outcome = outcomes.get(row.file());
        String id = RULES.get(row.rule());
        String actual = outcome.verdict(id);
        Deliberate deliberate = exceptions.get(row.key());
        if (deliberate != null) {
            if (actual.equals(row.expected())) {
                fail("stale exception: " + row + " now matches; remove it from conformance-exceptions.tsv");
            }
            return;
        }
        if (!actual.equals(row.expected())) {
            fail(mismatch(row, outcome));
        }
    }

    // ---- evaluation

    private Outcome evaluate(String file) {
        JsonNode object;
        try {
            object = yaml.readTree(corpus.resolve(file).toFile());
        } catch (IOException e) {
            return Outcome.error("not readable as YAML: " + e.getMessage());
        }
        if (object == null || !object.isObject()) {
            return Outcome.error("not a YAML object");
        }
        String kind = object.path("kind").asText("");
        if (kind.equals("AdmissionReview")) {
            return review((ObjectNode) object);
        }
        Optional<WorkloadKind> workload = WorkloadKind.byKind(kind);
        if (workload.isEmpty()) {
            return Outcome.of(List.of());
        }
        try {
            PodView view = views.toView(workload.get(), object, "", "");
            return Outcome.of(engine.evaluate(view, rootImages, id -> true).violations());
        } catch (BadAdmissionRequest e) {
            return Outcome.error("not mapped: " + e.getMessage());
        }
    }

    /** Runs an AdmissionReview through the handler; findings are the causes of its denial. */
    private Outcome review(ObjectNode review) {
        JsonNode req = review.get("request");
        if (req instanceof ObjectNode request) {
            if (!request.hasNonNull("uid")) {
                request.put("uid", "conformance");
            }
            JsonNode object = request.path("object");
            if (!request.has("kind") && object.isObject()) {
                String apiVersion = object.path("apiVersion").asText("");
                int slash = apiVersion.indexOf('/');
                ObjectNode k = request.putObject("kind");
                k.put("group", slash < 0 ? "" : apiVersion.substring(0, slash));
                k.put("version", apiVersion.substring(slash + 1));
                k.put("kind", object.path("kind").asText(""));
            }
        }
        AdmissionHandler.Outcome answer;
        try {
            answer = handler.review(json.writeValueAsBytes(review)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Outcome.error("the handler failed: " + e);
        }
        if (!answer.ok()) {
            return Outcome.error("the handler answered 400: " + answer.badRequest());
        }
        Set<String> fired = new LinkedHashSet<>();
        List<String> messages = new ArrayList<>();
        for (JsonNode cause : answer.review().path("response").path("status").path("details").path("causes")) {
            fired.add(cause.path("reason").asText());
            messages.add(cause.path("message").asText());
        }
        return new Outcome(fired, messages, null);
    }

    // ---- reading the corpus

    /** {@code ../shared/conformance} from the project root, which is the working directory surefire runs tests in. */
    static Path locateCorpus() {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        return root.toAbsolutePath().normalize().resolveSibling("shared").resolve("conformance");
    }

    private List<Row> readTargets() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Path source : sources()) {
            for (String name : List.of("expected.tsv", "derived.tsv")) {
                for (Map<String, String> r : tsv(source.resolve(name))) {
                    if (!r.get("rule").equals("root")) {
                        rows.add(row(source.getFileName() + "/" + r.get("file"), r.get("rule"), r.get("expected"),
                                source.getFileName() + "/" + name));
                    }
                }
            }
        }
        for (Map<String, String> r : tsv(corpus.resolve(ROOT_IMAGES_TSV))) {
            rows.add(row(r.get("file"), r.get("rule"), r.get("expected"), ROOT_IMAGES_TSV));
        }
        return rows;
    }

    private List<Row> readConditional() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Path source : sources()) {
            for (Map<String, String> r : tsv(source.resolve("conditional.tsv"))) {
                String condition = r.getOrDefault("condition", "");
                rows.add(new Row(source.getFileName() + "/" + r.get("file"), r.get("rule"),
                        r.getOrDefault("expected_without_condition", ""),
                        "source says " + r.getOrDefault("source_expected", "?") + " (" + condition + ")"));
            }
        }
        return rows;
    }

    private Row row(String file, String rule, String expected, String origin) {
        if (!RULES.containsKey(rule)) {
            throw new IllegalStateException(origin + ": unknown rule \"" + rule + "\" for " + file);
        }
        if (!expected.equals("deny") && !expected.equals("allow")) {
            throw new IllegalStateException(origin + ": expected must be deny or allow, not \"" + expected + "\"");
        }
        if (!Files.isRegularFile(corpus.resolve(file))) {
            throw new IllegalStateException(origin + ": " + file + " does not exist");
        }
        return new Row(file, rule, expected, origin);
    }

    private List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.list(corpus)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** A TSV file with a header line, as maps from column name to value; an absent file has no rows. */
    private static List<Map<String, String>> tsv(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return parseTsv(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    private static List<Map<String, String>> parseTsv(List<String> lines, String name) {
        List<Map<String, String>> rows = new ArrayList<>();
        String[] header = null;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (header == null) {
                header = cells;
                continue;
            }
            if (cells.length != header.length) {
                throw new IllegalStateException(name + ": " + cells.length + " columns, the header has "
                        + header.length + ": " + line);
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], cells[i].strip());
            }
            rows.add(row);
        }
        return rows;
    }

    private Map<String, Deliberate> readExceptions() throws IOException {
        List<String> lines;
        try (var in = ConformanceTest.class.getResourceAsStream(EXCEPTIONS)) {
            if (in == null) {
                throw new IllegalStateException(EXCEPTIONS + " is missing from the test resources");
            }
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        Map<String, Deliberate> out = new LinkedHashMap<>();
        for (Map<String, String> r : parseTsv(lines, EXCEPTIONS)) {
            Deliberate d = new Deliberate(r.get("file"), r.get("rule"), r.get("expected"), r.get("reason"));
            if (d.reason() == null || d.reason().isBlank()) {
                throw new IllegalStateException(EXCEPTIONS + ": " + d.file() + " [" + d.rule() + "] has no reason");
            }
            if (out.put(d.key(), d) != null) {
                throw new IllegalStateException(EXCEPTIONS + ": " + d.file() + " [" + d.rule() + "] is listed twice");
            }
        }
        return out;
    }

    // ---- the report

    private String report() {
        StringBuilder sb = new StringBuilder("\nConformance corpus " + corpus + " (root rows from " + ROOT_IMAGES_TSV
                + ", every image running as root)\n");
        sb.append(String.format("%-38s %-14s %9s %9s%n", "source", "rule", "matches", "excepted"));
        Map<String, Map<String, int[]>> table = new TreeMap<>();
        Map<String, int[]> totals = new LinkedHashMap<>();
        RULES.keySet().forEach(r -> totals.put(r, new int[3]));
        List<String> mismatches = new ArrayList<>();
        List<String> excepted = new ArrayList<>();
        for (Row row : targets) {
            Outcome outcome = outcomes.get(row.file());
            boolean match = outcome.verdict(RULES.get(row.rule())).equals(row.expected());
            Deliberate deliberate = exceptions.get(row.key());
            for (int[] cell : List.of(
                    table.computeIfAbsent(row.source(), s -> new LinkedHashMap<>()).computeIfAbsent(row.rule(),
                            r -> new int[3]),
                    totals.get(row.rule()))) {
                cell[0] += match ? 1 : 0;
                cell[1]++;
                cell[2] += !match && deliberate != null ? 1 : 0;
            }
            if (!match) {
                (deliberate != null ? excepted : mismatches).add(mismatch(row, outcome)
                        + (deliberate != null ? "\n    deliberate: " + deliberate.reason() : ""));
            }
        }
        table.forEach((source, rules) -> RULES.keySet().stream().filter(rules::containsKey)
                .forEach(rule -> sb.append(line(source, rule, rules.get(rule)))));
        int[] all = new int[3];
        totals.forEach((rule, c) -> {
            sb.append(line("all sources", rule, c));
            for (int i = 0; i < 3; i++) {
                all[i] += c[i];
            }
        });
        sb.append(line("all sources", "all rules", all));
        sb.append("\nUnexplained mismatches: ").append(mismatches.size()).append('\n');
        mismatches.forEach(m -> sb.append("  ").append(m).append('\n'));
        sb.append("Deliberate mismatches (conformance-exceptions.tsv): ").append(excepted.size()).append('\n');
        excepted.forEach(m -> sb.append("  ").append(m).append('\n'));
        sb.append("Conditional rows (informational; expected = the verdict without the source's option):\n");
        for (Row row : conditional) {
            Outcome outcome = outcomes.get(row.file());
            String id = RULES.getOrDefault(row.rule(), row.rule());
            sb.append(String.format("  %-70s %-14s expected %-5s customs %-5s %s%n", row.file(), row.rule(),
                    row.expected(), outcome.verdict(id), row.origin()));
        }
        return sb.toString();
    }

    private static String line(String source, String rule, int[] c) {
        return String.format("%-38s %-14s %4d/%-4d %9s%n", source, rule, c[0], c[1], c[2] == 0 ? "" : c[2]);
    }

    private static String mismatch(Row row, Outcome outcome) {
        String id = RULES.get(row.rule());
        StringBuilder sb = new StringBuilder(row.file() + " [" + row.rule() + " = " + id + "] expected "
                + row.expected() + ", customs " + outcome.verdict(id) + " (" + row.origin() + ")");
        if (outcome.error() != null) {
            sb.append("\n    error: ").append(outcome.error());
        }
        outcome.messagesOf(id).forEach(m -> sb.append("\n    ").append(m));
        return sb.toString();
    }

    private static Map<String, String> orderedRules() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("root", RunAsRoot.ID);
        m.put("host-network", HostNetwork.ID);
        m.put("docker-socket", DockerSocket.ID);
        m.put("latest-tag", LatestTag.ID);
        return Collections.unmodifiableMap(m);
    }
}
