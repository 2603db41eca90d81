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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        return runWith(Map.of(), stdin, args);
    }

    /** Runs {@code customs} with these environment variables added. */
    public static Run runWith(Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().keySet().removeIf(k -> k.startsWith("CUSTOMS_"));
        b.environment().putAll(env);
        Process p = b.start();
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
        // a List's items start where each item is written, not where the List starts
        assertThat(out.at("/objects/1/line").asInt()).isEqualTo(20);
        assertThat(rules(out.at("/objects/0/findings"))).contains("latest-tag");
        assertThat(rules(out.at("/objects/1/findings"))).contains("host-network");
        assertThat(r.err()).contains("2 objects checked, 2 skipped");
    }

    @Test
    void standardInputAndTextOutput() throws Exception {
        Run r = run("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                + "    - {name: c, image: 'nginx:latest', command: [/bin/sh, -c, run]}\n", "check", "--offline", "-");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("-:1: Pod p").contains("-:6:17: deny   [latest-tag] ")
                .contains("-:6:40: deny   [shell-form-entrypoint] ").contains("1 object checked, 0 skipped");
        assertThat(r.out()).doesNotContain("\u001b[");
    }

    @Test
    void offlineReportsImageRulesAsUnverifiedAndPasses(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("clean.yml");
        Files.writeString(f, CLEAN_POD);
        Run r = run(null, "check", "--offline", f.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("warn   [image-unverified] registry.example.com/shop/app:1.4.2@sha256:")
                .contains("not fetched (--offline)").contains("1 object checked");
    }

    @Test
    void invalidYamlIsAnInputErrorNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.yaml");
        Files.writeString(f, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: [indent\n");
        Run r = run(null, "check", "--offline", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(f + ":5:7: a \"key: value\" is not allowed here: check this line's indentation");
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
        assertThat(badConfig.err()).contains("-Dcustoms.rules.latest-tag.action=sometimes: "
                + "customs.rules.\"latest-tag\".action: \"sometimes\" is not an action: use enforce, warn, audit or off");
        Run unknownRule = run(CLEAN_POD, "check", "--offline", "-Dcustoms.rules.latest-tags.action=warn", "-");
        assertThat(unknownRule.exit()).isEqualTo(2);
        assertThat(unknownRule.err()).contains("latest-tags");
    }

    @Test
    void versionAndUnknownCommands() throws Exception {
        Run version = run(null, "--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out().strip()).matches("customs \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        Run unknown = run(null, "chek", "x.yaml");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("customs: unknown command \"chek\"; the command is check");
        Run misplaced = run(null, "--offline", "check", "x.yaml");
        assertThat(misplaced.err()).contains("unknown command \"--offline\"").contains("options come after it");
    }

    /** One unreadable or unusable input is reported where it is, and everything else is still checked. */
    @Test
    void badInputsAreReportedAtTheEndAndTheRestIsChecked(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("a-good.yaml");
        Files.writeString(good, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n"
                + "  hostNetwork: true\n  containers:\n    - {name: c, image: 'app:1.0', command: [/app]}\n");
        Files.writeString(dir.resolve("b-tabs.yaml"), "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n");
        Files.createSymbolicLink(dir.resolve("c-gone.yaml"), dir.resolve("does-not-exist.yaml"));
        Path chart = Files.createDirectories(dir.resolve("d-chart"));
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("templates").resolve("pod.yaml"), "apiVersion: v1\nkind: Pod\n");
        Path template = dir.resolve("e-template.yaml");
        Files.writeString(template, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {{ include "app.fullname" . }}
                spec:
                  template:
                    spec:
                      containers:
                      {{- range .Values.containers }}
                        - name: {{ .name }}
                      {{- end }}
                """);
        Path quoted = dir.resolve("f-quoted-template.yaml");
        Files.writeString(quoted, "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n"
                + "    - {name: c, image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"}\n");

        Run r = run(null, "check", "--offline", dir.toString(), dir.resolve("g-missing.yaml").toString());

        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.out()).contains(good + ":5:3: deny   [host-network]")
                .contains("1 object checked, 0 skipped, 6 input errors; 2 findings");
        assertThat(r.err().lines()).containsExactlyInAnyOrder(
                "customs check: " + dir.resolve("g-missing.yaml") + ": no such file or directory",
                "customs check: " + chart + ": a Helm chart (it has Chart.yaml): its templates are not manifests until "
                        + "helm renders them; check the rendered chart with: helm template my-release " + chart
                        + " | customs check -",
                "customs check: " + dir.resolve("b-tabs.yaml")
                        + ":4:1: tabs are not allowed in YAML indentation: indent with spaces",
                "customs check: " + dir.resolve("c-gone.yaml") + ": cannot be read: no such file or directory",
                "customs check: " + template + ":4:11: an un-rendered Helm template ({{ … }} is filled in by helm, it "
                        + "is not YAML yet): render it first, e.g. helm template my-release CHART | customs check -",
                "customs check: " + quoted + ": an un-rendered Helm template ({{ … }} is filled in by helm, it is not "
                        + "YAML yet): render it first, e.g. helm template my-release CHART | customs check -");

        Run json = run(null, "check", "--offline", "-o", "json", dir.toString());
        assertThat(json.json().at("/summary/errors").asInt()).isEqualTo(5);
        assertThat(json.json().at("/errors").findValuesAsText("message")).hasSize(5);
        Run sarif = run(null, "check", "--offline", "-o", "sarif", dir.toString());
        assertThat(sarif.json().at("/runs/0/invocations/0/executionSuccessful").asBoolean()).isFalse();
        assertThat(sarif.json().at("/runs/0/invocations/0/toolExecutionNotifications")).hasSize(5);
        assertThat(sarifErrors(sarif.json())).isEmpty();
    }

    /** Parse errors in the user's words, at the line and column of the mistake, never the parser's internals. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            tab indentation     | apiVersion: v1\\nkind: Pod\\nmetadata:\\n\\tname: x\\n        | 4:1: tabs are not allowed in YAML indentation: indent with spaces
            unclosed quote      | apiVersion: v1\\nkind: 'Pod\\nmetadata: {}\\n               | 2:7: a quoted string is not closed (it starts at line 2, column 7)
            unclosed list       | apiVersion: v1\\nkind: Pod\\nx: [1, 2\\ny: 3\\n                | 4:2: a [ list ] is not closed, or an item in it is not separated by a comma (it starts at line 3, column 4)
            duplicate key       | apiVersion: v1\\nkind: Pod\\nkind: Service\\n                | 3:1: the key "kind" appears twice in the same mapping; Kubernetes refuses that, remove one
            bad indentation     | apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: x\\n labels: {}\\n | 5:2: this line's indentation does not match the lines above it
            value after value   | apiVersion: v1\\nkind: "Pod" x\\n                           | 2:13: unexpected text after a value: quote the whole value, or check this line's indentation
            reserved character  | apiVersion: v1\\nkind: @Pod\\n                              | 2:7: a value cannot start with @: put the value in quotes
            not an object       | - apiVersion: v1\\n                                           | 1:1: expected a Kubernetes object (a mapping with apiVersion and kind), found a list
            """)
    void yamlErrorsSayWhatAndWhere(String name, String content, String expected, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.yaml");
        Files.writeString(f, content.replace("\\n", "\n").replace("\\t", "\t"));
        Run r = run(null, "check", "--offline", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("customs check: " + f + ":" + expected + "\n");
        assertThat(r.err()).doesNotContain("Event").doesNotContain("Exception").doesNotContain("snakeyaml")
                .doesNotContain("<block");
    }

    @Test
    void exemptedFindingsAreShownWithTheExemptionAndItsReason(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("customs.yaml");
        Files.writeString(config, """
                customs:
                  exemptions:
                    node-agents:
                      namespaces: [monitoring]
                      rules: [host-network]
                      reason: node-exporter reads the node's network statistics
                """);
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: monitoring}\nspec:\n"
                + "  hostNetwork: true\n  securityContext: {runAsNonRoot: true, runAsUser: 1000}\n"
                + "  containers:\n    - {name: c, image: 'app:1.0@sha256:" + "a".repeat(64) + "', command: [/app]}\n");

        Run text = run(null, "check", "--offline", "--config", config.toString(), f.toString());
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains(f + ":5:3: exempt [host-network] Pod \"agent\" sets hostNetwork: true")
                .contains("(exempted by \"node-agents\": node-exporter reads the node's network statistics)")
                // offline, the image is unverified: that warning is the one finding left
                .contains("1 finding (0 enforce, 1 warn, 0 audit), 1 exempted");

        Run json = run(null, "check", "--offline", "--config", config.toString(), "-o", "json", f.toString());
        JsonNode exempted = json.json().at("/objects/0/findings/0");
        assertThat(exempted.get("action").asText()).isEqualTo("exempted");
        assertThat(exempted.get("exemption").asText()).isEqualTo("node-agents");
        assertThat(exempted.get("reason").asText()).isEqualTo("node-exporter reads the node's network statistics");

        Run sarif = run(null, "check", "--offline", "--config", config.toString(), "-o", "sarif", f.toString());
        assertThat(sarifErrors(sarif.json())).isEmpty();
        JsonNode suppression = sarif.json().at("/runs/0/results/0/suppressions/0");
        assertThat(suppression.get("kind").asText()).isEqualTo("external");
        assertThat(suppression.get("status").asText()).isEqualTo("accepted");
        assertThat(suppression.get("justification").asText())
                .isEqualTo("exemption \"node-agents\": node-exporter reads the node's network statistics");
    }

    /** In a pipeline, "customs" is just a namespace: only kube-system is exempt unless a release namespace is named. */
    @Test
    void theReleaseNamespaceIsExemptOnlyWhenNamed() throws Exception {
        String pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: %s}\nspec:\n  hostNetwork: true\n"
                + "  containers:\n    - {name: c, image: 'app:1.0', command: [/app]}\n";
        assertThat(run(pod.formatted("customs"), "check", "--offline", "-").exit()).isEqualTo(1);
        Run named = run(pod.formatted("customs"), "check", "--offline", "-Dcustoms.release-namespace=customs", "-");
        assertThat(named.exit()).isZero();
        assertThat(named.out()).contains("exempt [host-network]").contains("(exempted by \"system\"");
        Run fromEnvironment = runWith(Map.of("CUSTOMS_RELEASE_NAMESPACE", "customs"), pod.formatted("customs"), "check",
                "--offline", "-");
        assertThat(fromEnvironment.exit()).isZero();
        assertThat(runWith(Map.of("POD_NAMESPACE", "customs"), pod.formatted("customs"), "check", "--offline", "-").exit())
                .as("POD_NAMESPACE is the webhook's, not the CLI's").isEqualTo(1);
        assertThat(run(pod.formatted("kube-system"), "check", "--offline", "-").exit()).isZero();
    }

    /** Configuration mistakes name where they were made and what is allowed, never SmallRye's codes or classes. */
    @Test
    void configurationErrorsSayWhereAndWhat(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("customs.yaml");
        Files.writeString(yaml, "customs:\n  rules:\n    latest-tag:\n      action: wanr\n  registry:\n"
                + "    on-error: maybe\n");
        Run file = run(CLEAN_POD, "check", "--offline", "--config", yaml.toString(), "-");
        assertThat(file.exit()).isEqualTo(2);
        assertThat(file.err()).contains(yaml + ":4:15: customs.rules.\"latest-tag\".action: \"wanr\" is not an action: "
                + "use enforce, warn, audit or off")
                .contains(yaml + ":6:15: customs.registry.on-error: \"maybe\" is not an on-error value: use allow, "
                        + "warn or deny");

        Path properties = dir.resolve("customs.properties");
        Files.writeString(properties, "# tuning\ncustoms.registry.budget=3x\n");
        assertThat(run(CLEAN_POD, "check", "--offline", "--config", properties.toString(), "-").err())
                .contains(properties + ":2: customs.registry.budget: \"3x\" is not a duration: write a number and a "
                        + "unit, e.g. 500ms, 3s, 5m, 24h");

        Run env = runWith(Map.of("CUSTOMS_RULES__HOST_NETWORK__ACTION", "wanr"), CLEAN_POD, "check", "--offline", "-");
        assertThat(env.err()).contains("environment variable CUSTOMS_RULES__HOST_NETWORK__ACTION: "
                + "customs.rules.\"host-network\".action: \"wanr\" is not an action");

        Run layers = run(CLEAN_POD, "check", "--offline", "-Dcustoms.rules.leaked-secret.layers=sometimes",
                "-Dcustoms.rules.leaked-secret.layer-max-bytes=1X", "-Dcustoms.rules.leaked-secret.layer-concurrency=many",
                "-");
        assertThat(layers.exit()).isEqualTo(2);
        assertThat(layers.err()).contains("customs.rules.\"leaked-secret\".layers: \"sometimes\" is not a layer scan mode: "
                + "use off, background or admission")
                .contains("customs.rules.\"leaked-secret\".layer-max-bytes: \"1X\" is not a size: write a number of "
                        + "bytes, optionally with K, M or G, e.g. 64M, 1G")
                .contains("customs.rules.\"leaked-secret\".layer-concurrency: \"many\" is not a whole number");
        assertThat(run(CLEAN_POD, "check", "--offline", "-Dcustoms.registri.budget=1s", "-").err())
                .contains("-Dcustoms.registri.budget=1s: customs.registri.budget is not a Customs setting");
        assertThat(run(CLEAN_POD, "check", "--offline", "-Dcustoms.exemptions.x.expires=2027-13-01",
                "-Dcustoms.exemptions.x.namespaces=a", "-").err())
                .contains("customs.exemptions.\"x\".expires: \"2027-13-01\" is not a date: write it as 2027-03-31");
        assertThat(run(CLEAN_POD, "check", "--config", dir.resolve("none.yaml").toString(), "-").err())
                .contains("--config " + dir.resolve("none.yaml") + ": no such file");
        Path tabs = dir.resolve("tabs.yaml");
        Files.writeString(tabs, "customs:\n\trules: {}\n");
        assertThat(run(CLEAN_POD, "check", "--config", tabs.toString(), "-").err())
                .contains(tabs + ":2:1: tabs are not allowed in YAML indentation");
        for (Run r : List.of(file, env, layers)) {
            assertThat(r.err()).doesNotContain("SRCFG").doesNotContain("dev.customs").doesNotContain("Exception");
        }
    }

    /** A rule key is one key however it is written: quoted, unquoted, or as an environment variable. */
    @Test
    void ruleKeysInEverySpelling(@TempDir Path dir) throws Exception {
        String pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n"
                + "  securityContext: {runAsNonRoot: true, runAsUser: 1000}\n"
                + "  containers:\n    - {name: c, image: 'nginx', command: [/app]}\n";
        Path properties = dir.resolve("customs.properties");
        Files.writeString(properties, "customs.rules.\"latest-tag\".action=audit\n");
        Run both = run(pod, "check", "--offline", "--config", properties.toString(),
                "-Dcustoms.rules.latest-tag.action=warn", "-");
        assertThat(both.err()).doesNotContain("does not map");
        assertThat(both.out()).as("-D wins over the file").contains("warn   [latest-tag]");

        Run off = runWith(Map.of("CUSTOMS_RULES__LATEST_TAG__ACTION", "off"), pod, "check", "--offline", "--config",
                properties.toString(), "-");
        assertThat(off.exit()).as(off.err()).isZero();
        assertThat(off.out()).doesNotContain("[latest-tag]");
        Run single = runWith(Map.of("CUSTOMS_RULES_LATEST_TAG_ACTION", "audit"), pod, "check", "--offline", "-");
        assertThat(single.exit()).as(single.err()).isZero();
        assertThat(single.out()).contains("audit  [latest-tag]");
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
        // each result is placed at its field: hostNetwork on line 5, the image on line 7
        JsonNode hostNetwork = results.get(0);
        assertThat(hostNetwork.get("ruleId").asText()).isEqualTo("host-network");
        assertThat(hostNetwork.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(5);
        assertThat(hostNetwork.at("/locations/0/physicalLocation/region/startColumn").asInt()).isEqualTo(3);
        assertThat(results.get(1).at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(7);
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
            // correctness, not speed: a loaded machine must not turn a slow answer into an unverified image
            String patient = "-Dcustoms.registry.request-timeout=60s";
            String budget = "-Dcustoms.registry.budget=120s";

            Run r = run(null, "check", "--auth-file", auth.toString(), insecure, patient, budget, "-o", "json",
                    pod.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
            JsonNode findings = r.json().at("/objects/0/findings");
            assertThat(rules(findings)).containsExactlyInAnyOrder("run-as-root", "shell-form-entrypoint",
                    "leaked-secret");
            assertThat(findings.findValuesAsText("container")).containsOnly("app");
            assertThat(r.out() + r.err()).doesNotContain("npm-secret-value-42").doesNotContain(TestRegistry.PASSWORD);
            // an online run logs nothing but warnings: no JUL start-up error, no INFO lines
            assertThat(r.err()).doesNotContain("LogManager").doesNotContain("INFO").doesNotContain("registry access");
            assertThat(r.err().strip()).startsWith("1 object checked");

            // the same check without credentials cannot read the images and says so, without failing the build
            Run anonymous = run(null, "check", insecure, patient, budget,
                    "-Dcustoms.registry.auth-file=" + dir.resolve("none.json"), "-o", "json", pod.toString());
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
        ManifestReader reader = new ManifestReader();
        int compared = 0;
        try (Stream<Path> files = Files.walk(CORPUS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                List<ManifestReader.Document> docs = reader.read(f.toString(), Files.readAllBytes(f)).documents();
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

    private static Set<ValidationMessage> sarifErrors(JsonNode sarif) throws IOException {
        try (InputStream in = CheckCommandIT.class.getClassLoader()
                .getResourceAsStream("schema/sarif-schema-2.1.0.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in).validate(sarif);
        }
    }

    private static Set<String> rules(JsonNode findings) {
        Set<String> out = new TreeSet<>();
        findings.forEach(f -> out.add(f.isTextual() ? f.asText() : f.path("rule").asText()));
        return out;
    }
}
