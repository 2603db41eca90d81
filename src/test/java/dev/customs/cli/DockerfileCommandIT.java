package dev.customs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/** {@code customs check} on Dockerfiles, run as a separate process as a developer or CI job runs it. */
class DockerfileCommandIT {

    /** A Node.js Dockerfile with four problems the rules know: root, npm start, latest, no labels. */
    static final String NODE_APP = """
            FROM node:latest
            WORKDIR /app
            COPY package.json package-lock.json ./
            RUN npm ci --omit=dev
            COPY . .
            CMD ["npm", "start"]
            """;

    /** The same app done right. */
    static final String CLEAN = """
            # syntax=docker/dockerfile:1
            ARG NODE_VERSION=20.11.1
            FROM node:${NODE_VERSION}-slim AS deps
            WORKDIR /app
            COPY package.json package-lock.json ./
            RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci --omit=dev

            FROM node:${NODE_VERSION}-slim
            ARG REVISION=unknown
            LABEL org.opencontainers.image.title=shop \\
                  org.opencontainers.image.source=https://example.com/shop.git \\
                  org.opencontainers.image.version=1.4.2 \\
                  org.opencontainers.image.revision=${REVISION}
            WORKDIR /app
            COPY --from=deps /app/node_modules ./node_modules
            COPY . .
            USER 1000
            CMD ["node", "server.js"]
            """;

    static CheckCommandIT.Run run(String stdin, String... args) throws Exception {
        return CheckCommandIT.run(stdin, args);
    }

    @Test
    void aDockerfileIsCheckedWithTheLineAndColumnOfEveryFinding(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("Dockerfile"), NODE_APP);
        CheckCommandIT.Run r = run(null, "check", "--no-color", f.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.VIOLATIONS);
        assertThat(r.out()).contains(f + ":1: Dockerfile stage 1\n")
                .contains("  " + f + ":1:6: deny   [run-as-root] stage 1 (FROM node:latest) sets no USER")
                .contains("  " + f + ":1:6: deny   [latest-tag] stage 1 (FROM node:latest) builds FROM node:latest")
                .contains("  " + f + ":1:1: warn   [oci-labels] stage 1 (FROM node:latest) does not set the OCI labels")
                .contains("  " + f + ":6:6: deny   [shell-form-entrypoint] stage 1 (FROM node:latest) runs \"npm "
                        + "start\"")
                .contains("1 Dockerfile and 0 objects checked, 0 skipped; 4 findings (3 enforce, 1 warn, 0 audit)");
    }

    @Test
    void aCleanDockerfilePassesAndSoDoesCustomsOwn(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("app.Dockerfile"), CLEAN);
        CheckCommandIT.Run r = run(null, "check", f.toString(), "src/main/docker/Dockerfile.jvm");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(Main.OK);
        assertThat(r.out()).isEqualTo("2 Dockerfiles and 0 objects checked, 0 skipped; 0 findings (0 enforce, 0 warn, "
                + "0 audit)\n");
    }

    @Test
    void jsonAndSarifCarryTheLineAndColumn(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("Containerfile"), NODE_APP);
        JsonNode json = run(null, "check", "-o", "json", f.toString()).json();
        JsonNode object = json.at("/objects/0");
        assertThat(object.path("kind").asText()).isEqualTo("Dockerfile");
        assertThat(object.path("name").asText()).isEqualTo("stage 1");
        assertThat(object.path("allowed").asBoolean()).isFalse();
        JsonNode shell = null;
        for (JsonNode finding : object.path("findings")) {
            if (finding.path("rule").asText().equals("shell-form-entrypoint")) {
                shell = finding;
            }
        }
        assertThat(shell).isNotNull();
        assertThat(shell.path("line").asInt()).isEqualTo(6);
        assertThat(shell.path("column").asInt()).isEqualTo(6);
        assertThat(shell.path("field").asText()).isEqualTo("CMD 6:6");
        assertThat(shell.path("action").asText()).isEqualTo("enforce");

        CheckCommandIT.Run sarif = run(null, "check", "-o", "sarif", f.toString());
        assertThat(sarif.exit()).isEqualTo(Main.VIOLATIONS);
        JsonSchema schema;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("schema/sarif-schema-2.1.0.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        Set<ValidationMessage> errors = schema.validate(sarif.json());
        assertThat(errors).isEmpty();
        JsonNode regions = sarif.json().at("/runs/0/results");
        assertThat(regions).hasSize(4);
        for (JsonNode result : regions) {
            JsonNode region = result.at("/locations/0/physicalLocation/region");
            assertThat(region.path("startLine").asInt()).isPositive();
            assertThat(region.path("startColumn").asInt()).isPositive();
            if (result.path("ruleId").asText().equals("shell-form-entrypoint")) {
                assertThat(region.path("startLine").asInt()).isEqualTo(6);
            }
        }
    }

    @Test
    void directoriesHoldDockerfilesBesideManifests(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("Dockerfile"), CLEAN);
        Files.writeString(dir.resolve("Dockerfile.dockerignore"), "*\n");
        Files.createDirectories(dir.resolve("worker"));
        Files.writeString(dir.resolve("worker/worker.Dockerfile"), NODE_APP);
        Files.writeString(dir.resolve("k8s.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  hostNetwork: true
                  containers:
                    - {name: web, image: "nginx:1.27"}
                """);
        CheckCommandIT.Run r = run(null, "check", "--offline", "--no-color", dir.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.VIOLATIONS);
        assertThat(r.out()).contains("[host-network]").contains(dir.resolve("worker/worker.Dockerfile") + ":1:6")
                .doesNotContain("Dockerfile.dockerignore")
                .contains("2 Dockerfiles and 1 object checked");
    }

    @Test
    void theDockerfileOptionReadsAnyNameAndStandardInput(@TempDir Path dir) throws Exception {
        Path odd = Files.writeString(dir.resolve("build.txt"), NODE_APP);
        CheckCommandIT.Run named = run(null, "check", "--no-color", "--dockerfile", odd.toString());
        assertThat(named.exit()).isEqualTo(Main.VIOLATIONS);
        assertThat(named.out()).contains(odd + ":6:6: deny   [shell-form-entrypoint]");
        CheckCommandIT.Run stdin = run(NODE_APP, "check", "--no-color", "-o", "json", "--dockerfile", "-");
        assertThat(stdin.exit()).isEqualTo(Main.VIOLATIONS);
        assertThat(stdin.json().at("/objects/0/file").asText()).isEqualTo("-");
    }

    @Test
    void targetAndBuildArgsChooseWhatIsBuilt(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("Dockerfile"), """
                ARG TAG=20.11.1
                FROM node:$TAG AS test
                RUN npm test
                FROM node:$TAG-slim AS release
                USER 1000
                CMD ["node", "server.js"]
                """);
        String noLabels = "-Dcustoms.rules.oci-labels.action=off";
        assertThat(run(null, "check", noLabels, f.toString()).exit()).isEqualTo(Main.OK);
        CheckCommandIT.Run test = run(null, "check", "--no-color", noLabels, "--target", "test", f.toString());
        assertThat(test.exit()).isEqualTo(Main.VIOLATIONS);
        assertThat(test.out()).contains("[run-as-root] stage \"test\" (FROM node:$TAG) sets no USER");
        CheckCommandIT.Run latest = run(null, "check", "--no-color", noLabels, "--build-arg", "TAG=latest",
                "--target", "test", f.toString());
        assertThat(latest.exit()).isEqualTo(Main.VIOLATIONS);
        assertThat(latest.out()).contains("[latest-tag] stage \"test\" (FROM node:$TAG) builds FROM node:$TAG "
                + "(= node:latest)");
        CheckCommandIT.Run missing = run(null, "check", "--target", "prod", f.toString());
        assertThat(missing.exit()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains(f + ":1:1: target stage \"prod\" could not be found; the stages are test, "
                + "release");
    }

    @Test
    void aBrokenDockerfileIsReportedWithItsPlaceAndTheRestIsStillChecked(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.Dockerfile"), """
                FROM alpine:3.19
                RUN apk add curl
                COPYY app /app
                """);
        Path good = Files.writeString(dir.resolve("Dockerfile"), NODE_APP);
        CheckCommandIT.Run r = run(null, "check", "--no-color", broken.toString(), good.toString());
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("customs check: " + broken + ":3:1: unknown instruction COPYY (did you mean COPY?)");
        assertThat(r.out()).contains(good + ":6:6: deny   [shell-form-entrypoint]");
        assertThat(r.out()).contains("1 Dockerfile and 0 objects checked, 0 skipped, 1 input error;");
    }

    @Test
    void actionsAndExemptionsApplyAsToManifests(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("Dockerfile"), NODE_APP);
        CheckCommandIT.Run r = run(null, "check", "--no-color", "-o", "json",
                "-Dcustoms.rules.run-as-root.action=warn", "-Dcustoms.rules.shell-form-entrypoint.action=off",
                "-Dcustoms.exemptions.base.images=docker.io/library/node:*",
                "-Dcustoms.exemptions.base.rules=latest-tag",
                "-Dcustoms.exemptions.base.reason=the base image is pinned by the platform team", f.toString());
        assertThat(r.exit()).as(r.out()).isEqualTo(Main.OK);
        JsonNode findings = r.json().at("/objects/0/findings");
        assertThat(findings).extracting(n -> n.path("rule").asText() + " " + n.path("action").asText())
                .containsExactly("oci-labels warn", "run-as-root warn", "latest-tag exempted");
    }

    @Test
    void aDirectoryRunReportsAnUnreadableDockerfileAndChecksTheRest(@TempDir Path dir) throws Exception {
        // a link to nothing, found in the directory, cannot be read (a file without permissions would be readable
        // to root)
        Path dangling = Files.createSymbolicLink(dir.resolve("a.Dockerfile"), dir.resolve("gone.Dockerfile"));
        Files.writeString(dir.resolve("b.Dockerfile"), NODE_APP);
        Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  hostNetwork: true
                  containers:
                    - {name: web, image: "nginx:1.27"}
                """);
        CheckCommandIT.Run r = run(null, "check", "--offline", "--no-color", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("customs check: " + dangling + ": cannot be read: no such file or directory");
        assertThat(r.out()).contains(dir.resolve("b.Dockerfile") + ":6:6: deny   [shell-form-entrypoint]")
                .contains("[host-network]")
                .contains("1 Dockerfile and 1 object checked, 0 skipped, 1 input error;");
    }

    @Test
    void anExemptedFindingIsShownAndSuppressedInSarif(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("Dockerfile"), NODE_APP);
        String[] exemption = { "-Dcustoms.exemptions.base.images=docker.io/library/node:*",
                "-Dcustoms.exemptions.base.rules=latest-tag",
                "-Dcustoms.exemptions.base.reason=the platform team pins the base" };
        CheckCommandIT.Run text = run(null, concat(new String[] { "check", "--no-color" }, exemption, f.toString()));
        assertThat(text.out()).contains("  " + f + ":1:6: exempt [latest-tag] stage 1 (FROM node:latest) builds FROM "
                + "node:latest").contains("(exempted by \"base\": the platform team pins the base)");
        JsonNode sarif = run(null, concat(new String[] { "check", "-o", "sarif" }, exemption, f.toString())).json();
        JsonNode latest = null;
        for (JsonNode result : sarif.at("/runs/0/results")) {
            if (result.path("ruleId").asText().equals("latest-tag")) {
                latest = result;
            }
        }
        assertThat(latest).isNotNull();
        assertThat(latest.at("/suppressions/0/status").asText()).isEqualTo("accepted");
        assertThat(latest.at("/suppressions/0/justification").asText()).contains("the platform team pins the base");
        assertThat(latest.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(1);
        assertThat(latest.at("/locations/0/physicalLocation/region/startColumn").asInt()).isEqualTo(6);
    }

    @Test
    void latestTagsConfiguredMovingTagsApplyToFromLines(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("Dockerfile"), CLEAN.replace("node:${NODE_VERSION}-slim",
                "node:nightly-2026"));
        assertThat(run(null, "check", f.toString()).exit()).isEqualTo(Main.OK);
        CheckCommandIT.Run r = run(null, "check", "--no-color",
                "-Dcustoms.rules.latest-tag.moving-tags=latest,nightly-*", f.toString());
        assertThat(r.exit()).as(r.out()).isEqualTo(Main.VIOLATIONS);
        assertThat(r.out()).contains("[latest-tag]").contains("whose \"nightly-2026\" tag moves");
    }

    @Test
    void standardInputIsReadOnce() throws Exception {
        CheckCommandIT.Run r = run(NODE_APP, "check", "--dockerfile", "-", "-");
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("standard input (-) can be read once");
    }

    private static String[] concat(String[] head, String[] middle, String last) {
        String[] all = new String[head.length + middle.length + 1];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(middle, 0, all, head.length, middle.length);
        all[all.length - 1] = last;
        return all;
    }
}
