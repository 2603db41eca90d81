package dev.customs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.customs.admission.AdmissionHandler;
import dev.customs.image.ImageResolver;
import dev.customs.image.UnavailableImageInspector;
import dev.customs.image.layers.TestTar;
import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;

/** {@code customs check} run as a separate process, as a developer or CI job runs it. */
public class CheckCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CORPUS = Path.of("..", "shared", "conformance").toAbsolutePath().normalize();

    /** One run of the command: exit code and output. */
    public record Run(int exit, String out, String err) {
        public JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    /** Runs {@code customs} with these arguments in its own JVM, on the test class path. */
    public static Run run(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("customs check did not finish within 120 s");
        }
        return new Run(p.exitValue(), out.get(), err.get());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    private static final String CLEAN_POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: clean
              namespace: shop
            spec:
              securityContext:
                runAsNonRoot: true
                runAsUser: 10001
              containers:
                - name: app
                  image: registry.example.com/shop/app:1.4.2@sha256:%s
                  command: ["/app"]
            """.formatted("a".repeat(64));

    @Test
    void multiDocumentFilesAndListsAreReadWithTheirLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("app.yaml");
        Files.writeString(f, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  template:
                    spec:
                      containers:
                        - name: web
                          image: nginx
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                ---
                apiVersion: v1
                kind: List
                items:
                  - apiVersion: v1
                    kind: Pod
                    metadata:
                      name: agent
                    spec:
                      hostNetwork: true
                      containers:
                        - name: a
                          image: busybox:1.36
                  - apiVersion: v1
                    kind: Service
                    metadata:
                      name: web
                """);
        Run r = run(null, "check", "--offline", "-o", "json", f.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        JsonNode out = r.json();
        assertThat(out.at("/summary/objects").asInt()).isEqualTo(2);
        assertThat(out.at("/summary/skipped").asInt()).isEqualTo(2);
        assertThat(out.at("/objects/0/kind").asText()).isEqualTo("Deployment");
        assertThat(out.at("/objects/0/line").asInt()).isEqualTo(1);
        assertThat(out.at("/objects/1/kind").asText()).isEqualTo("Pod");
        assertThat(out.at("/objects/1/line").asInt()).isEqualTo(17);
        assertThat(rules(out.at("/objects/0/findings"))).contains("latest-tag");
        assertThat(rules(out.at("/objects/1/findings"))).contains("host-network");
        assertThat(r.err()).contains("2 objects checked, 2 skipped");
    }

    @Test
    void standardInputAndTextOutput() throws Exception {
        Run r = run("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                + "    - {name: c, image: 'nginx:latest', command: [/bin/sh, -c, run]}\n", "check", "--offline", "-");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("-:1 Pod p").contains("deny  [latest-tag] ")
                .contains("deny  [shell-form-entrypoint] ").contains("1 object checked, 0 skipped");
        assertThat(r.out()).doesNotContain("\u001b[");
    }

    @Test
    void offlineReportsImageRulesAsUnverifiedAndPasses(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("clean.yml");
        Files.writeString(f, CLEAN_POD);
        Run r = run(null, "check", "--offline", f.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("warn  [image-unverified] registry.example.com/shop/app:1.4.2@sha256:")
                .contains("not fetched (--offline)").contains("1 object checked");
    }

    @Test
    void invalidYamlIsAnInputErrorNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.yaml");
        Files.writeString(f, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: [indent\n");
        Run r = run(null, "check", "--offline", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(f + ":5").contains("invalid YAML");
    }

    @Test
    void usageErrorsExitTwo(@TempDir Path dir) throws Exception {
        assertThat(run(null).exit()).isEqualTo(2);
        assertThat(run(null, "check").err()).contains("no PATH given");
        assertThat(run(null, "check", "--frobnicate", "x").exit()).isEqualTo(2);
        assertThat(run(null, "check", "--output", "xml", "x").exit()).isEqualTo(2);
        Run missing = run(null, "check", dir.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file or directory");
        assertThat(run(null, "--help").out()).contains("usage: customs check");
        Run badConfig = run(CLEAN_POD, "check", "--offline", "-Dcustoms.rules.latest-tag.action=sometimes", "-");
        assertThat(badConfig.exit()).isEqualTo(2);
        assertThat(badConfig.err()).contains("invalid configuration").contains("customs.rules.latest-tag.action");
        Run unknownRule = run(CLEAN_POD, "check", "--offline", "-Dcustoms.rules.latest-tags.action=warn", "-");
        assertThat(unknownRule.exit()).isEqualTo(2);
        assertThat(unknownRule.err()).contains("latest-tags");
    }

    @Test
    void theWebhooksConfigurationKeysApply(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("application.yaml");
        Files.writeString(config, """
                customs:
                  rules:
                    latest-tag:
                      action: warn
                  exemptions:
                    tools:
                      images: ["docker.io/library/busybox:*"]
                      reason: test tooling
                """);
        String pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                + "  securityContext: {runAsNonRoot: true, runAsUser: 1000}\n  containers:\n"
                + "    - {name: c, image: nginx, command: [/app]}\n    - {name: d, image: 'busybox', command: [/app]}\n";
        Run warned = run(pod, "check", "--offline", "--config", config.toString(), "-o", "json", "-");
        assertThat(warned.exit()).as(warned.err()).isZero();
        JsonNode findings = warned.json().at("/objects/0/findings");
        assertThat(findings.findValuesAsText("action")).contains("warn", "exempted");
        Run enforced = run(pod, "check", "--offline", "--config", config.toString(),
                "-Dcustoms.rules.latest-tag.action=enforce", "-");
        assertThat(enforced.exit()).isEqualTo(1);
    }

    @Test
    void sarifOutputIsValidSarif210(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n"
                + "  containers:\n    - {name: c, image: nginx}\n");
        Run r = run(null, "check", "--offline", "-o", "sarif", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        JsonNode sarif = r.json();
        JsonSchema schema;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("schema/sarif-schema-2.1.0.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        Set<ValidationMessage> errors = schema.validate(sarif);
        assertThat(errors).as("SARIF schema violations").isEmpty();
        JsonNode results = sarif.at("/runs/0/results");
        // offline, the image user is unknown: run-as-root and the other image rules are unverified (a warning)
        assertThat(results.findValuesAsText("ruleId")).containsExactlyInAnyOrder("host-network", "latest-tag",
                "image-unverified");
        assertThat(results.findValuesAsText("level")).contains("error", "warning");
        assertThat(results.get(0).at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(1);
        assertThat(results.get(0).at("/locations/0/physicalLocation/artifactLocation/uri").asText())
                .endsWith("bad.yaml");
    }

    @Test
    void imageRulesDecideOnImagesReadFromARealRegistry(@TempDir Path dir) throws Exception {
        try (TestRegistry registry = TestRegistry.start(TestRegistry.Auth.HTPASSWD)) {
            registry.pushImage("team/app", "1.0", new TestImages.Config().labels(TestImages.OCI_LABELS)
                    .entrypoint("/bin/sh", "-c", "node server.js").env("NPM_TOKEN=npm-secret-value-42"), true, Map.of());
            registry.pushImage("team/good", "1.0", new TestImages.Config().user("10001").labels(TestImages.OCI_LABELS)
                    .entrypoint("/app"), true, Map.of());
            Path auth = dir.resolve("config.json");
            Files.writeString(auth, TestRegistry.dockerConfigJson(registry.authority(), TestRegistry.USER,
                    TestRegistry.PASSWORD));
            Path pod = dir.resolve("pod.yaml");
            Files.writeString(pod, """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: shop}
                    spec:
                      containers:
                        - {name: app, image: "%1$s/team/app:1.0"}
                        - {name: good, image: "%1$s/team/good:1.0"}
                    """.formatted(registry.authority()));
            String insecure = "-Dcustoms.registry.insecure-registries=" + registry.authority();

            // the verdicts are checked, not the speed: a loaded machine gets the time it needs
            Run r = run(null, "check", "--auth-file", auth.toString(), insecure,
                    "-Dcustoms.registry.request-timeout=20s", "-o", "json", pod.toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            JsonNode findings = r.json().at("/objects/0/findings");
            assertThat(rules(findings)).containsExactlyInAnyOrder("run-as-root", "shell-form-entrypoint",
                    "leaked-secret");
            assertThat(findings.findValuesAsText("container")).containsOnly("app");
            assertThat(r.out() + r.err()).doesNotContain("npm-secret-value-42").doesNotContain(TestRegistry.PASSWORD);

            // the same check without credentials cannot read the images and says so, without failing the build
            Run anonymous = run(null, "check", insecure, "-Dcustoms.registry.auth-file=" + dir.resolve("none.json"),
                    "-o", "json", pod.toString());
            assertThat(rules(anonymous.json().at("/objects/0/findings"))).containsExactly("image-unverified");
            assertThat(anonymous.exit()).isZero();
        }
    }

    /**
     * {@code image-size} and {@code base-image} in CI: off and silent without a limit, warnings by default with one, and
     * the build fails only where the configuration makes them enforce; the layers are real gzip tar files.
     */
    @Test
    void imageSizeAndBaseImageWarnUnlessConfiguredToEnforce(@TempDir Path dir) throws Exception {
        try (TestRegistry registry = TestRegistry.start(TestRegistry.Auth.NONE)) {
            byte[] vendor = new byte[700_000];
            new Random(5).nextBytes(vendor);
            byte[] vendorLayer = TestTar.tar().file("app/vendor/bundle.bin", vendor).gzip();
            byte[] appLayer = TestTar.tar().file("app/server.js", "require('http').createServer().listen(8080)\n")
                    .gzip();
            registry.pushImage("team/heavy", "1.0", new TestImages.Config().user("10001").entrypoint("/app/server")
                    .labels(TestImages.OCI_LABELS).labels(Map.of("org.opencontainers.image.base.name", "node:20"))
                    .history("COPY vendor /app/vendor # buildkit").history("COPY server.js /app/ # buildkit"),
                    List.of(TestImages.TestLayer.gzip(vendorLayer), TestImages.TestLayer.gzip(appLayer)));
            Path pod = dir.resolve("pod.yaml");
            Files.writeString(pod, """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: heavy}
                    spec:
                      containers:
                        - {name: app, image: "%s/team/heavy:1.0"}
                    """.formatted(registry.authority()));
            // what is checked here is the verdict, not the speed: a loaded machine gets all the time it needs
            String insecure = "-Dcustoms.registry.insecure-registries=" + registry.authority();
            String patient = "-Dcustoms.registry.request-timeout=20s";

            Run unlimited = run(null, "check", insecure, patient, "-o", "json", pod.toString());
            assertThat(unlimited.exit()).as(unlimited.err()).isZero();
            assertThat(rules(unlimited.json().at("/objects/0/findings"))).as(unlimited.out()).containsExactly("base-image");

            Run limited = run(null, "check", insecure, patient, "-Dcustoms.rules.\"image-size\".max-size=500kB", "-o", "json",
                    pod.toString());
            assertThat(limited.exit()).as(limited.err()).isZero();
            JsonNode findings = limited.json().at("/objects/0/findings");
            assertThat(rules(findings)).containsExactly("base-image", "image-size");
            assertThat(findings.findValuesAsText("action")).containsOnly("warn");
            long total = vendorLayer.length + appLayer.length;
            assertThat(findings.findValuesAsText("message")).anySatisfy(m -> assertThat(m).startsWith(
                    "[image-size] container \"app\" (image " + registry.authority() + "/team/heavy:1.0) is "
                            + size(total) + " compressed, over the 500kB limit; its largest layers are "
                            + size(vendorLayer.length) + " (COPY vendor /app/vendor), "));

            Run enforced = run(null, "check", insecure, patient, "-Dcustoms.rules.\"image-size\".max-size=500kB",
                    "-Dcustoms.rules.\"image-size\".action=enforce", pod.toString());
            assertThat(enforced.exit()).as(enforced.out()).isEqualTo(1);
            assertThat(enforced.out()).contains("deny ").contains("[image-size]").contains("warn ")
                    .contains("[base-image]");
        }
    }

    /** Every rule's findings on the conformance corpus match what the webhook finds for the same objects. */
    @Test
    void findingsMatchTheWebhookOnTheConformanceCorpus() throws Exception {
        assumeTrue(Files.isDirectory(CORPUS), "conformance corpus not found at " + CORPUS
                + " (it lives beside the project in CI, not in a plain clone); the comparison was not run");
        Run r = run(null, "check", "--offline", "-o", "json", CORPUS.toString());
        assertThat(r.exit()).as(r.err()).isIn(0, 1);
        Map<String, Set<String>> cli = new TreeMap<>();
        for (JsonNode o : r.json().get("objects")) {
            cli.computeIfAbsent(o.get("file").asText() + ":" + o.get("line").asInt(), k -> new TreeSet<>())
                    .addAll(rules(o.get("findings")));
        }
        AdmissionHandler webhook = new AdmissionHandler(JSON, new RuleEngine(RuleRegistry.defaults()),
                Policy.enforceAll(),
                new ImageResolver(new UnavailableImageInspector("not fetched (--offline)"), Duration.ofSeconds(5)),
                new Reporter(Recorder.NONE, null, false));
        Map<String, Set<String>> hook = new TreeMap<>();
        ManifestReader reader = new ManifestReader(ManifestReader.yamlMapper());
        int compared = 0;
        try (Stream<Path> files = Files.walk(CORPUS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                List<ManifestReader.Document> docs;
                try (InputStream in = Files.newInputStream(f)) {
                    docs = reader.read(f.toString(), in);
                }
                for (ManifestReader.Document d : docs) {
                    String key = d.file() + ":" + d.line();
                    Set<String> found = webhookRules(webhook, d.object());
                    if (found != null) {
                        hook.put(key, found);
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(250);
        assertThat(cli).isEqualTo(hook);
    }

    private static Set<String> webhookRules(AdmissionHandler webhook, JsonNode object) throws Exception {
        String kind = object.path("kind").asText();
        String group = switch (kind) {
            case "Pod", "ReplicationController" -> "";
            case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet" -> "apps";
            case "Job", "CronJob" -> "batch";
            default -> null;
        };
        if (group == null || object.path("apiVersion").asText().contains(".")) {
            return null;
        }
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode req = review.putObject("request");
        req.put("uid", UUID.randomUUID().toString()).put("operation", "CREATE");
        req.putObject("kind").put("group", group).put("version", "v1").put("kind", kind);
        req.put("namespace", object.path("metadata").path("namespace").asText(""));
        req.set("object", object);
        AdmissionHandler.Outcome o = webhook.review(JSON.writeValueAsBytes(review)).toCompletableFuture().join();
        if (!o.ok()) {
            return null;
        }
        Set<String> rules = new TreeSet<>();
        o.review().at("/response/status/details/causes").forEach(c -> rules.add(c.get("reason").asText()));
        o.review().at("/response/warnings")
                .forEach(w -> rules.add(w.asText().substring(1, w.asText().indexOf(']'))));
        return rules;
    }

    /** A size as image-size writes it: decimal kB or MB, one decimal. */
    private static String size(long bytes) {
        return bytes < 1_000_000 ? String.format(Locale.ROOT, "%.1f kB", bytes / 1_000.0)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
    }

    private static Set<String> rules(JsonNode findings) {
        Set<String> out = new TreeSet<>();
        findings.forEach(f -> out.add(f.isTextual() ? f.asText() : f.path("rule").asText()));
        return out;
    }
}
