package dev.customs.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.customs.dockerfile.PlannedImage.Base;
import dev.customs.dockerfile.PlannedImage.PlacedFile;
import dev.customs.rules.ImageConfig;

/** A Dockerfile evaluates to the image configuration it would build, with the instruction behind every fact. */
class StageEvaluatorTest {

    static BuildPlan plan(String text) throws DockerfileException {
        return plan(text, null, Map.of());
    }

    static BuildPlan plan(String text, String target, Map<String, String> buildArgs) throws DockerfileException {
        return StageEvaluator.evaluate(DockerfileParser.parse("Dockerfile", text), target, buildArgs);
    }

    static Position at(int line, int column) {
        return new Position(line, column);
    }

    @Test
    void theLastStageShipsWithEverythingItsChainSets() throws Exception {
        BuildPlan p = plan("""
                FROM node:20.11.1-slim AS base
                ENV NODE_ENV=production
                LABEL org.opencontainers.image.title=shop
                USER node
                CMD ["node", "server.js"]

                FROM base AS app
                ENV PORT=8080
                LABEL org.opencontainers.image.version=1.4.2
                """);
        assertThat(p.target().name()).isEqualTo("app");
        assertThat(p.chain()).extracting(Stage::name).containsExactly("app", "base");
        PlannedImage app = p.shipped();
        assertThat(app.root()).isEqualTo(new Base.Image("node:20.11.1-slim", "node:20.11.1-slim", List.of()));
        assertThat(app.base()).isInstanceOf(Base.StageRef.class);
        assertThat(app.user().value()).isEqualTo("node");
        assertThat(app.user().stage().name()).isEqualTo("base");
        assertThat(app.user().word().position()).isEqualTo(at(4, 6));
        assertThat(app.cmd().argv()).containsExactly("node", "server.js");
        assertThat(app.cmd().source().position()).isEqualTo(at(5, 1));
        assertThat(app.entrypoint()).isNull();
        assertThat(app.env()).containsOnlyKeys("NODE_ENV", "PORT");
        assertThat(app.labels().get("org.opencontainers.image.title").source().position()).isEqualTo(at(3, 1));

        ImageConfig config = app.config();
        assertThat(config.user()).isEqualTo("node");
        assertThat(config.cmd()).containsExactly("node", "server.js");
        assertThat(config.env()).containsExactly("NODE_ENV=production", "PORT=8080");
        assertThat(config.labels()).containsOnlyKeys("org.opencontainers.image.title",
                "org.opencontainers.image.version");
        assertThat(config.history()).extracting(ImageConfig.History::createdBy).containsExactly(
                "ENV NODE_ENV=production", "LABEL org.opencontainers.image.title=shop", "USER node",
                "CMD [node, server.js]", "ENV PORT=8080", "LABEL org.opencontainers.image.version=1.4.2");
    }

    @Test
    void whatTheBaseImageSetsIsUnknownAndScratchSetsNothing() throws Exception {
        PlannedImage external = plan("FROM nginx:1.27\nRUN echo hi\n").shipped();
        assertThat(external.root().external()).isTrue();
        assertThat(external.user()).isNull();
        assertThat(external.cmd()).isNull();
        PlannedImage scratch = plan("FROM scratch\nCOPY app /app\n").shipped();
        assertThat(scratch.root()).isInstanceOf(Base.Scratch.class);
        assertThat(scratch.root().external()).isFalse();
    }

    @Test
    void argumentsBeforeFromResolveTheImageAndBuildArgsWin() throws Exception {
        String text = """
                ARG REGISTRY=registry.example.com
                ARG NODE=20.11.1
                ARG VARIANT
                FROM ${REGISTRY}/node:${NODE}${VARIANT:+-$VARIANT}
                """;
        assertThat(((Base.Image) plan(text).shipped().root()).reference())
                .isEqualTo("registry.example.com/node:20.11.1");
        assertThat(((Base.Image) plan(text, null, Map.of("VARIANT", "slim", "NODE", "22.1.0")).shipped().root())
                .reference()).isEqualTo("registry.example.com/node:22.1.0-slim");
        Base.Image unknown = (Base.Image) plan("ARG TAG\nFROM node:$TAG\n").shipped().root();
        assertThat(unknown.display()).isEqualTo("node:$TAG");
        assertThat(unknown.unknown()).containsExactly("build argument TAG, which has no default");
        Base.Image platform = (Base.Image) plan("FROM --platform=$BUILDPLATFORM golang:1.22-$TARGETARCH\n").shipped()
                .root();
        assertThat(platform.unknown()).containsExactly("the build's platform (TARGETARCH)");
    }

    @Test
    void argumentsBeforeFromAreOnlyInsideAStageWhenDeclaredAgain() throws Exception {
        PlannedImage p = plan("""
                ARG UID=10001
                FROM alpine:3.19
                USER $UID
                FROM alpine:3.19
                ARG UID
                USER $UID
                """).shipped();
        assertThat(p.user().value()).isEqualTo("10001");
        PlannedImage first = plan("ARG UID=10001\nFROM scratch\nUSER x$UID\n").shipped();
        assertThat(first.user().value()).isEqualTo("x");
        PlannedImage onBase = plan("ARG UID=10001\nFROM alpine:3.19\nUSER x$UID\n").shipped();
        assertThat(onBase.user().known()).as("the base image may set UID").isFalse();
    }

    @Test
    void envWinsOverArgAndSeesTheEnvironmentBeforeItsInstruction() throws Exception {
        PlannedImage p = plan("""
                FROM scratch
                ARG A=from-arg
                ENV A=from-env B=$A
                ENV C=$A
                USER ${A}
                """).shipped();
        assertThat(p.env().get("B").value()).isEqualTo("from-arg");
        assertThat(p.env().get("C").value()).isEqualTo("from-env");
        assertThat(p.user().value()).isEqualTo("from-env");
    }

    @Test
    void entrypointEmptiesACmdNotSetInTheSameStage() throws Exception {
        PlannedImage p = plan("""
                FROM scratch AS base
                CMD ["serve"]
                FROM base
                ENTRYPOINT ["/app"]
                """).shipped();
        assertThat(p.entrypoint().argv()).containsExactly("/app");
        assertThat(p.cmd().argv()).isEmpty();
        PlannedImage same = plan("FROM scratch\nCMD [\"serve\"]\nENTRYPOINT [\"/app\"]\n").shipped();
        assertThat(same.cmd().argv()).containsExactly("serve");
    }

    @Test
    void shellFormRunsWithTheShellInForce() throws Exception {
        PlannedImage p = plan("""
                FROM alpine:3.19
                CMD npm start
                SHELL ["/bin/bash", "-eo", "pipefail", "-c"]
                ENTRYPOINT exec node server.js
                """).shipped();
        assertThat(p.cmd().argv()).containsExactly("/bin/sh", "-c", "npm start");
        assertThat(p.cmd().shellForm()).isTrue();
        assertThat(p.entrypoint().argv()).containsExactly("/bin/bash", "-eo", "pipefail", "-c",
                "exec node server.js");
        assertThat(p.entrypoint().where()).isEqualTo(at(4, 12));
    }

    @Test
    void theTargetChoosesTheStageAndOnlyWhatItNeedsIsBuilt() throws Exception {
        String text = """
                FROM golang:1.22 AS build
                RUN go build -o /out/app .
                FROM busybox:1.36 AS tools
                FROM alpine:3.19 AS test
                RUN --mount=type=bind,from=tools,target=/tools /tools/bin/sh -c true
                FROM gcr.io/distroless/static:nonroot AS release
                COPY --from=build /out/app /app
                COPY --from=nginx:1.27 /etc/nginx/mime.types /etc/
                """;
        BuildPlan release = plan(text);
        assertThat(release.built()).extracting(Stage::name).containsExactly("build", "release");
        assertThat(release.imageUses()).extracting(BuildPlan.ImageUse::how, BuildPlan.ImageUse::reference)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("FROM", "golang:1.22"),
                        org.assertj.core.groups.Tuple.tuple("FROM", "gcr.io/distroless/static:nonroot"),
                        org.assertj.core.groups.Tuple.tuple("COPY --from", "nginx:1.27"));
        BuildPlan test = plan(text, "TEST", Map.of());
        assertThat(test.target().name()).isEqualTo("test");
        assertThat(test.built()).extracting(Stage::name).containsExactly("tools", "test");
        assertThatThrownBy(() -> plan(text, "prod", Map.of())).isInstanceOf(DockerfileException.class)
                .hasMessage("Dockerfile:1:1: target stage \"prod\" could not be found; the stages are build, tools, "
                        + "test, release");
    }

    @Test
    void copyFromNamesAnEarlierStageByNameOrIndex() throws Exception {
        BuildPlan p = plan("""
                FROM alpine:3.19
                RUN echo 0
                FROM alpine:3.19 AS later
                FROM scratch
                COPY --from=0 /a /a
                """);
        assertThat(p.built()).extracting(Stage::index).containsExactly(0, 2);
    }

    @Test
    void structuralErrorsNameThePlace() {
        assertThatThrownBy(() -> plan("RUN echo hi\nFROM alpine:3.19\n")).hasMessage(
                "Dockerfile:1:1: RUN comes before the first FROM; only ARG may");
        assertThatThrownBy(() -> plan("ARG X=1\n")).hasMessage(
                "Dockerfile:1:1: the Dockerfile has no FROM: a build needs at least one stage");
        assertThatThrownBy(() -> plan("FROM a:1 AS x\nFROM b:1 AS X\n")).hasMessage(
                "Dockerfile:2:13: duplicate stage name \"x\"");
        assertThatThrownBy(() -> plan("FROM alpine:3.19\nUSER ${X\n")).hasMessage(
                "Dockerfile:2:6: USER: syntax error: missing '}'");
    }

    @Test
    void copiedFilesAreTrackedThroughStagesAndRemovals() throws Exception {
        BuildPlan p = plan("""
                FROM node:20.11.1 AS deps
                WORKDIR /app
                COPY .npmrc package.json ./
                COPY secrets/.env /app/config/
                RUN npm ci && rm -f .npmrc
                FROM node:20.11.1-slim
                COPY --from=deps /app /srv
                COPY id_rsa /root/.ssh/
                COPY <<EOF /etc/app.conf
                x=1
                EOF
                """);
        PlannedImage deps = p.images().get(0);
        assertThat(deps.files()).extracting(PlacedFile::path, PlacedFile::name).containsExactly(
                org.assertj.core.groups.Tuple.tuple("/app/.npmrc", ".npmrc"),
                org.assertj.core.groups.Tuple.tuple("/app/package.json", "package.json"),
                org.assertj.core.groups.Tuple.tuple("/app/config/.env", ".env"));
        assertThat(deps.files().get(0).removedBy().position()).isEqualTo(at(5, 1));
        PlannedImage shipped = p.shipped();
        assertThat(shipped.files()).extracting(PlacedFile::path).containsExactly("/srv/package.json",
                "/srv/config/.env", "/root/.ssh/id_rsa", "/etc/app.conf");
        PlacedFile env = shipped.files().get(1);
        assertThat(env.via().position()).isEqualTo(at(7, 1));
        assertThat(env.first().via().position()).isEqualTo(at(4, 1));
        assertThat(env.first().word()).isEqualTo(new Word("secrets/.env", at(4, 6)));
    }

    @Test
    void theFilesAStagePlacesAreBounded() throws Exception {
        StringBuilder text = new StringBuilder("FROM alpine:3.19 AS a\n");
        for (int i = 0; i < StageEvaluator.MAX_FILES + 500; i++) {
            text.append("COPY f").append(i).append(" /app/\n");
        }
        text.append("FROM a AS b\nCOPY --from=a / /copy/\n");
        BuildPlan p = plan(text.toString());
        assertThat(p.images().get(0).files()).hasSize(StageEvaluator.MAX_FILES);
        assertThat(p.shipped().files()).hasSize(StageEvaluator.MAX_FILES);
    }

    @Test
    void aRunRecordsTheBuildArgumentsInScopeInTheHistory() throws Exception {
        PlannedImage p = plan("""
                FROM node:20.11.1 AS base
                ARG NPM_TOKEN
                ARG MODE=prod
                RUN npm ci
                FROM base
                RUN npm run build
                """).shipped();
        assertThat(p.arguments()).extracting(PlannedImage.Argument::name).containsExactly("NPM_TOKEN", "MODE");
        assertThat(p.arguments().get(0).recordedBy().position()).isEqualTo(at(4, 1));
        assertThat(p.history()).extracting(PlannedImage.History::createdBy).contains(
                "RUN |2 NPM_TOKEN=<unknown> MODE=prod /bin/sh -c npm ci # buildkit",
                "RUN |2 NPM_TOKEN=<unknown> MODE=prod /bin/sh -c npm run build # buildkit");
    }
}
