package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ImageVerdict} and {@link ConfigVerdict}: what an image says about itself, judged from the config and the
 * manifest alone, with no pod in sight.
 */
class ImageVerdictTest {

    private static final Platform AMD64 = Platform.of("linux", "amd64");

    private static ImageConfig config(String user, List<String> entrypoint, List<String> cmd, List<String> env,
            Map<String, String> labels, List<ImageConfig.History> history) {
        return new ImageConfig(AMD64, user, entrypoint, cmd, env, labels, history);
    }

    private static ImageVerdict judge(ImageConfig config, Map<String, String> annotations, List<Layer> layers) {
        return ImageVerdict.judge(AMD64, ConfigVerdict.judge(config), annotations, layers);
    }

    @ParameterizedTest(name = "USER \"{0}\" is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''            | ROOT
            0             | ROOT
            root          | ROOT
            0:0           | ROOT
            root:wheel    | ROOT
            ' 0 '         | ROOT
            1000          | NUMERIC_NON_ROOT
            10001:10001   | NUMERIC_NON_ROOT
            65532:root    | NUMERIC_NON_ROOT
            node          | NAMED
            app:app       | NAMED
            12345678901   | NAMED
            """)
    void userClass(String user, ImageVerdict.User.Kind kind) {
        ImageVerdict.User u = ConfigVerdict.judge(ImageConfig.withUser(user)).user();
        assertThat(u.kind()).isEqualTo(kind);
        assertThat(u.raw()).isEqualTo(user);
        assertThat(u.root()).isEqualTo(kind == ImageVerdict.User.Kind.ROOT);
    }

    @Test
    void wellKnownLabelKeysAreTheRulesOwnInstances() {
        // keys read from a registry's JSON are new strings: the verdict keeps the well-known ones as the constants
        String source = new String("org.opencontainers.image.source");
        ImageVerdict v = judge(ImageConfig.withUser("1"), Map.of(source, "https://example.com/app",
                new String("com.example.team"), "shop", new String("org.opencontainers.image.version"), " "),
                List.of());
        assertThat(v.keys()).containsExactlyInAnyOrder("org.opencontainers.image.source", "com.example.team");
        assertThat(v.keys().stream().filter(k -> k.equals(source)).findFirst().orElseThrow())
                .isSameAs(OciLabels.DEFAULT_REQUIRED.get(1)).isNotSameAs(source);
        assertThat(v.hasKey(OciLabels.DEFAULT_REQUIRED.get(1))).isTrue();
        assertThat(v.hasKey(new String("org.opencontainers.image.source"))).isTrue();
        assertThat(new OciLabels(List.of(new String("org.opencontainers.image.revision"), "com.example.team"))
                .required().get(0)).isSameAs(OciLabels.DEFAULT_REQUIRED.get(3));
    }

    @Test
    void processOfAnInitThatHandsOverToCmd() {
        ImageVerdict.Process p = ConfigVerdict
                .judge(config("10001", List.of("/sbin/tini", "--"), List.of("node", "server.js"), null, null, null))
                .process();
        assertThat(p.argv()).containsExactly("/sbin/tini", "--", "node", "server.js");
        assertThat(p.pid1()).isEqualTo("tini");
        assertThat(p.handsOver()).isTrue();
        assertThat(p.shellForm()).isEmpty();
        assertThat(p.argvWith(List.of("node", "worker.js"))).containsExactly("/sbin/tini", "--", "node", "worker.js");
        assertThat(p.argvWith(List.of())).isSameAs(p.argv());
    }

    @Test
    void processOfAShellFormCmd() {
        ImageVerdict.Process p = ConfigVerdict
                .judge(config("", null, List.of("/bin/sh", "-c", "node server.js"), null, null, null)).process();
        assertThat(p.entrypoint()).isEmpty();
        assertThat(p.pid1()).isEqualTo("sh");
        assertThat(p.handsOver()).as("no entrypoint: Cmd or the pod's args are the process").isTrue();
        assertThat(p.shellForm().map(ShellFormEntrypoint.Finding::why)).get().asString()
                .contains("sh -c does not forward SIGTERM");
    }

    @Test
    void processOfAProgramThatKeepsItsArguments() {
        ImageVerdict.Process p = ConfigVerdict
                .judge(config("", List.of("env", "NODE_ENV=production", "npm"), List.of("start"), null, null, null))
                .process();
        assertThat(p.pid1()).isEqualTo("npm");
        assertThat(p.handsOver()).isFalse();
        assertThat(p.shellForm().map(ShellFormEntrypoint.Finding::why)).get().asString().contains("npm runs the script");
        assertThat(ShellFormEntrypoint.check(p.argvWith(List.of("--version")))).isEmpty();
    }

    /** FROM node with CMD ["npm", "start"]: the verdict keeps what PID 1 is and the entrypoint looked through. */
    @Test
    void processBehindAnOfficialEntrypoint() {
        ImageVerdict.Process p = ConfigVerdict
                .judge(config("node", List.of("docker-entrypoint.sh"), List.of("npm", "start"), null, null, null))
                .process();
        assertThat(p.pid1()).isEqualTo("npm");
        assertThat(p.handsOver()).as("docker-entrypoint.sh ends in exec \"$@\"").isTrue();
        assertThat(p.shellForm()).hasValueSatisfying(f -> {
            assertThat(f.pid1()).containsExactly("npm", "start");
            assertThat(f.through()).containsExactly("docker-entrypoint.sh");
            assertThat(f.why()).contains("npm runs the script");
        });
        assertThat(ShellFormEntrypoint.analyse(p.argvWith(List.of("node", "server.js")))).isEmpty();
    }

    @Test
    void processWithNothingToRun() {
        ImageVerdict.Process p = ConfigVerdict.judge(ImageConfig.withUser("1")).process();
        assertThat(p.argv()).isEmpty();
        assertThat(p.pid1()).isEmpty();
        assertThat(p.shellForm()).isEmpty();
    }

    @Test
    void keysAreLabelsAndAnnotationsWithAValue() {
        ImageConfig c = config("1", null, null, null, Map.of("org.opencontainers.image.title", "app",
                "org.opencontainers.image.version", " ", "maintainer", "x"), null);
        ImageVerdict onlyConfig = judge(c, Map.of(), List.of());
        assertThat(onlyConfig.keys()).containsExactlyInAnyOrder("org.opencontainers.image.title", "maintainer");
        ImageVerdict annotated = judge(c, Map.of("org.opencontainers.image.version", "1.0",
                "org.opencontainers.image.source", ""), List.of());
        assertThat(annotated.hasKey("org.opencontainers.image.version")).isTrue();
        assertThat(annotated.hasKey("org.opencontainers.image.title")).isTrue();
        assertThat(annotated.hasKey("org.opencontainers.image.source")).as("blank annotation").isFalse();
    }

    @Test
    void secretsSayWhereTheyWereFoundAndNeverTheValue() {
        ImageConfig c = config("1", null, null, List.of("PATH=/bin", "NPM_TOKEN=s3cr3t-v4lue"), null,
                List.of(new ImageConfig.History("ARG GITHUB_TOKEN", true),
                        new ImageConfig.History("|1 GITHUB_TOKEN=s3cr3t-v4lue /bin/sh -c make", false)));
        List<ImageVerdict.Secret> secrets = ConfigVerdict.judge(c).secrets();
        assertThat(secrets).containsExactly(
                new ImageVerdict.Secret("NPM_TOKEN in Env", ImageVerdict.Where.ENV, 1),
                new ImageVerdict.Secret("GITHUB_TOKEN (build argument) in history[1]", ImageVerdict.Where.HISTORY, 1));
        assertThat(secrets.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void eachLayerIsAttributedToTheHistoryEntryThatMadeIt() {
        ImageConfig c = config("1", null, null, null, null, List.of(
                new ImageConfig.History("/bin/sh -c #(nop) ADD file:abc in / ", false),
                new ImageConfig.History("/bin/sh -c #(nop)  CMD [\"sh\"]", true),
                new ImageConfig.History("RUN /bin/sh -c apk add curl", false),
                new ImageConfig.History("ENV A=b", true),
                new ImageConfig.History("COPY app /app", false)));
        List<Layer> layers = List.of(new Layer("sha256:a", 3_000_000, "application/vnd.oci.image.layer.v1.tar+gzip"),
                new Layer("sha256:b", 2_000_000, "application/vnd.oci.image.layer.v1.tar+gzip"),
                new Layer("sha256:c", 500, "application/vnd.oci.image.layer.v1.tar+zstd"));
        ImageVerdict v = judge(c, Map.of(), layers);
        assertThat(v.layers()).containsExactly(
                new ImageVerdict.BuiltLayer(layers.get(0), 0, "/bin/sh -c #(nop) ADD file:abc in / "),
                new ImageVerdict.BuiltLayer(layers.get(1), 2, "RUN /bin/sh -c apk add curl"),
                new ImageVerdict.BuiltLayer(layers.get(2), 4, "COPY app /app"));
        assertThat(v.compressedSize()).isEqualTo(5_000_500);
    }

    @Test
    void aHistoryThatDoesNotAccountForEveryLayerAttributesNone() {
        ImageConfig c = config("1", null, null, null, null,
                List.of(new ImageConfig.History("COPY app /app", false)));
        List<Layer> layers = List.of(new Layer("sha256:a", 10, ""), new Layer("sha256:b", 20, ""));
        ImageVerdict v = judge(c, Map.of(), layers);
        assertThat(v.layers()).extracting(ImageVerdict.BuiltLayer::history).containsExactly(-1, -1);
        assertThat(v.layers()).extracting(ImageVerdict.BuiltLayer::createdBy).containsExactly("", "");
        assertThat(v.compressedSize()).isEqualTo(30);
    }

    @Test
    void aLayerOfUnknownSizeMakesTheSizeUnknown() {
        ImageVerdict v = judge(ImageConfig.withUser("1"), Map.of(),
                List.of(new Layer("sha256:a", 10, ""), new Layer("sha256:b", -1, ""), new Layer("sha256:c", 5, "")));
        assertThat(v.compressedSize()).isEqualTo(-1);
    }

    @Test
    void aPlannedImageHasNoLayers() {
        ImageVerdict v = judge(ImageConfig.withUser("10001"), Map.of(), List.of());
        assertThat(v.layers()).isEmpty();
        assertThat(v.compressedSize()).isZero();
        assertThat(v.base()).isEmpty();
    }

    @Test
    void theBaseComesFromAnnotationsBeforeLabels() {
        ImageConfig labelled = config("1", null, null, null, Map.of(ImageVerdict.BASE_NAME, "docker.io/library/node:20",
                ImageVerdict.BASE_DIGEST, "sha256:" + "1".repeat(64)), null);
        ImageVerdict.Base fromLabels = judge(labelled, Map.of(), List.of()).base().orElseThrow();
        assertThat(fromLabels.name()).isEqualTo("docker.io/library/node:20");
        assertThat(fromLabels.reference().tag()).isEqualTo("20");
        assertThat(fromLabels.pinned()).isTrue();

        ImageVerdict.Base annotated = judge(labelled, Map.of(ImageVerdict.BASE_NAME, "node:22-alpine"), List.of())
                .base().orElseThrow();
        assertThat(annotated.reference().repository()).isEqualTo("library/node");
        assertThat(annotated.reference().tag()).isEqualTo("22-alpine");
        assertThat(annotated.digest()).as("the label's digest still applies").isEqualTo("sha256:" + "1".repeat(64));

        ImageVerdict.Base moving = judge(ImageConfig.withUser("1"), Map.of(ImageVerdict.BASE_NAME, "node:lts"),
                List.of()).base().orElseThrow();
        assertThat(moving.pinned()).isFalse();
        ImageVerdict.Base byName = judge(ImageConfig.withUser("1"),
                Map.of(ImageVerdict.BASE_NAME, "node@sha256:" + "2".repeat(64)), List.of()).base().orElseThrow();
        assertThat(byName.pinned()).isTrue();
        assertThat(judge(ImageConfig.withUser("1"), Map.of("org.opencontainers.image.title", "x"), List.of()).base())
                .isEmpty();
    }

    @Test
    void judgingIsPureTheSameConfigGivesAnEqualVerdict() {
        ImageConfig c = config("node", List.of("docker-entrypoint.sh"), List.of("node"), List.of("NPM_TOKEN=x"),
                Map.of("a", "b"), List.of(new ImageConfig.History("RUN x", false)));
        assertThat(ConfigVerdict.judge(c)).isEqualTo(ConfigVerdict.judge(c));
        List<Layer> layers = List.of(new Layer("sha256:a", 1, ""));
        assertThat(judge(c, Map.of("k", "v"), layers)).isEqualTo(judge(c, Map.of("k", "v"), layers));
    }

    @Test
    void aPlatformImageCarriesTheVerdictOfItsConfig() {
        ImageConfig c = config("0", null, List.of("sh", "-c", "run"), null, null, null);
        ConfigVerdict judged = ConfigVerdict.judge(c);
        PlatformImage p = PlatformImage.of(AMD64, c, judged, Map.of(), List.of());
        assertThat(p.verdict().config()).as("the cached config verdict is reused, not judged again").isSameAs(judged);
        assertThat(p.verdict().user().root()).isTrue();
        assertThat(new PlatformImage(AMD64, c, Map.of()).verdict().config()).isEqualTo(judged);
    }
}
