package dev.customs.image.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.customs.rules.ImageVerdict.BuiltLayer;
import dev.customs.rules.Layer;
import dev.customs.rules.LayerSecrets;

/** The streaming layer scan on tar archives built here: which files are secrets, whiteouts, formats and the cap. */
class LayerScannerTest {

    static final String NPM = "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";
    static final String KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
            + "-----END OPENSSH PRIVATE KEY-----\n";

    static LayerVerdict scan(byte[] blob) {
        try {
            return LayerScanner.scan(new ByteArrayInputStream(blob), Long.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> found(String path, String content) {
        return scan(TestTar.tar().file(path, content).gzip()).files().stream().map(LayerVerdict.File::what).toList();
    }

    static Stream<Arguments> secretFiles() {
        return Stream.of(
                Arguments.of("root/.npmrc", "//registry.npmjs.org/:_authToken=0f3e9a1b2c4d5e6f\n", "npm credentials (.npmrc)"),
                Arguments.of("app/.yarnrc.yml", "npmRegistryServer: https://r.example.com\nnpmAuthToken: abcdef123456\n",
                        "npm credentials (.yarnrc.yml)"),
                Arguments.of("root/.pypirc", "[pypi]\nusername = __token__\npassword = pypi-abcdefabcdef\n",
                        "PyPI credentials (.pypirc)"),
                Arguments.of("root/.netrc", "machine github.com login bot password s3cr3t-v4lue\n",
                        "netrc credentials (.netrc)"),
                Arguments.of("root/.git-credentials", "https://bot:s3cr3t-v4lue@github.com\n",
                        "git credentials (.git-credentials)"),
                Arguments.of("root/.docker/config.json", "{\"auths\": {\"r.example.com\": {\"auth\": \"Ym90OnMzY3IzdA==\"}}}",
                        "registry credentials (.docker/config.json)"),
                Arguments.of("root/.aws/credentials",
                        "[default]\naws_access_key_id = AKIA0000\naws_secret_access_key = abcdefabcdefabcdef\n",
                        "AWS credentials (.aws/credentials)"),
                Arguments.of("app/.env", "PORT=8080\nDB_PASSWORD=hunter2hunter2\n", "credentials in a .env file (DB_PASSWORD)"),
                Arguments.of("app/.env.production", "STRIPE_SECRET_KEY=abc123abc123\n",
                        "credentials in a .env file (STRIPE_SECRET_KEY)"),
                Arguments.of("root/.ssh/id_ed25519", KEY, "an SSH private key"),
                Arguments.of("etc/ssl/private/server.key", KEY, "a private key"),
                Arguments.of("app/certs/tls.pem", KEY, "a private key"),
                Arguments.of("root/.kube/config",
                        "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: abcdef123456\n",
                        "a kubeconfig with credentials"),
                Arguments.of("root/.terraformrc",
                        "credentials \"app.terraform.io\" {\n  token = \"abcdefabcdef.atlasv1.x\"\n}\n",
                        "Terraform credentials"),
                Arguments.of("root/.terraform.d/credentials.tfrc.json",
                        "{\"credentials\": {\"app.terraform.io\": {\"token\": \"abcdef123456\"}}}", "Terraform credentials"),
                Arguments.of("root/.m2/settings.xml",
                        "<settings><servers><server><id>r</id><password>hunter2hunter2</password></server></servers></settings>",
                        "a Maven server password (settings.xml)"),
                Arguments.of("root/.pgpass", "db:5432:app:app:hunter2hunter2\n", "a PostgreSQL password file (.pgpass)"),
                Arguments.of("app/config/settings.py", "GITHUB = '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'\n",
                        "a GitHub token (gh?_…)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void secretFiles(String path, String content, String what) {
        String c = content;
        assertThat(found(path, c)).containsExactly(what);
    }

    static Stream<Arguments> notSecrets() {
        return Stream.of(
                Arguments.of("root/.npmrc", "registry=https://registry.npmjs.org/\n@acme:registry=https://npm.acme.example/\n"),
                Arguments.of("root/.npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
                Arguments.of("app/.env.example", "DB_PASSWORD=changeme\nAPI_TOKEN=<your-token>\nSECRET_KEY=\n"),
                Arguments.of("app/.env", "PORT=8080\nLOG_LEVEL=debug\nDB_PASSWORD_FILE=/run/secrets/db\n"),
                Arguments.of("root/.ssh/id_ed25519.pub",
                        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bot@ci\n"),
                Arguments.of("etc/ssl/certs/server.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
                Arguments.of("app/keys/public.pem",
                        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"),
                Arguments.of("root/.docker/config.json", "{\"credsStore\": \"desktop\", \"auths\": {\"r.example.com\": {}}}"),
                Arguments.of("root/.m2/settings.xml",
                        "<settings><servers><server><password>{COQLCE6DU6GtcS5P=}</password></server></servers></settings>"),
                Arguments.of("usr/lib/python3.12/test/keycert.pem", KEY),
                Arguments.of("usr/share/doc/pkg/README", "export GITHUB_TOKEN=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\n"),
                Arguments.of("app/node_modules/pkg/test/fixture.txt", "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"),
                Arguments.of("app/VERSION", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void notSecrets(String path, String content) {
        String c = content;
        assertThat(found(path, c)).isEmpty();
    }

    @Test
    void everyCompressionAndLongNames() {
        String deep = "app/" + "very-long-directory-name/".repeat(6) + ".npmrc";
        TestTar t = TestTar.tar().dir("app").file(deep, "//r.example.com/:_authToken=0f3e9a1b2c4d5e6f\n");
        for (byte[] blob : List.of(t.gzip(), t.zstd(), t.bytes())) {
            LayerVerdict v = scan(blob);
            assertThat(v.files()).extracting(LayerVerdict.File::path).containsExactly(deep);
            assertThat(v.capped()).isFalse();
        }
    }

    @Test
    void aFileWhitedOutByALaterLayerIsStillReportedAsDeleted() {
        LayerVerdict base = scan(TestTar.tar().file("etc/os-release", "ID=debian\n").gzip());
        LayerVerdict added = scan(TestTar.tar().file("root/.npmrc", "//registry.npmjs.org/:_authToken=" + NPM + "\n")
                .file("app/.env", "API_TOKEN=abcdef123456\n").gzip());
        LayerVerdict deleted = scan(TestTar.tar().whiteout("root/.npmrc").opaque("app").gzip());
        assertThat(deleted.whiteouts()).containsExactly("root/.npmrc");
        assertThat(deleted.opaqueDirs()).containsExactly("app");
        List<BuiltLayer> layers = List.of(new BuiltLayer(new Layer("sha256:a", 1, ""), 0, "FROM debian"),
                new BuiltLayer(new Layer("sha256:b", 1, ""), 1, "COPY .npmrc /root/ # buildkit"),
                new BuiltLayer(new Layer("sha256:c", 1, ""), 2, "RUN /bin/sh -c rm /root/.npmrc # buildkit"));
        List<LayerSecrets.Finding> f = LayerFindings.combine(layers, List.of(base, added, deleted));
        assertThat(f).containsExactly(
                new LayerSecrets.Finding("root/.npmrc", "npm credentials (.npmrc)", 2, "COPY .npmrc /root/ # buildkit",
                        true),
                new LayerSecrets.Finding("app/.env", "credentials in a .env file (API_TOKEN)", 2,
                        "COPY .npmrc /root/ # buildkit", true));
        assertThat(LayerFindings.combine(layers.subList(0, 2), List.of(base, added)))
                .allSatisfy(x -> assertThat(x.deleted()).isFalse());
    }

    @Test
    void theByteCapStopsTheScanAndSaysSo() throws IOException {
        byte[] blob = TestTar.tar().bigFile("data/blob.bin", 4 * 1024 * 1024, new byte[4096])
                .file("root/.npmrc", "//registry.npmjs.org/:_authToken=" + NPM + "\n").gzip();
        LayerVerdict capped = LayerScanner.scan(new ByteArrayInputStream(blob), 1024 * 1024);
        assertThat(capped.capped()).isTrue();
        assertThat(capped.files()).isEmpty();
        assertThat(capped.bytes()).isEqualTo(1024 * 1024);
        LayerVerdict whole = LayerScanner.scan(new ByteArrayInputStream(blob), 64L * 1024 * 1024);
        assertThat(whole.capped()).isFalse();
        assertThat(whole.files()).hasSize(1);
    }

    @Test
    void whatIsNotATarArchiveIsAClearError() {
        byte[] junk = "this is not a tar archive at all, just some text that is long enough to fill a header block"
                .repeat(10).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> LayerScanner.scan(new ByteArrayInputStream(junk), Long.MAX_VALUE))
                .isInstanceOf(IOException.class).hasMessageContaining("not a tar archive");
        byte[] cut = TestTar.tar().file("root/.npmrc", "x".repeat(2000)).bytes();
        assertThatThrownBy(() -> LayerScanner.scan(new ByteArrayInputStream(java.util.Arrays.copyOf(cut, 1000)),
                Long.MAX_VALUE)).isInstanceOf(IOException.class);
    }
}
