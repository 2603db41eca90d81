package dev.customs.image.registry;

import static dev.customs.image.registry.RegistryInspectorIT.inspect;
import static dev.customs.image.registry.RegistryInspectorIT.resolved;
import static dev.customs.image.registry.RegistryInspectorIT.unavailable;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.rules.ImageFacts;
import io.vertx.core.Vertx;

/**
 * Authentication against real registries: htpasswd basic auth and bearer tokens from a token service, credentials
 * from a docker config.json, token caching, and redirects that must not carry credentials to another host.
 */
class RegistryAuthIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static TestRegistry basic;
    static TestRegistry token;
    static RegistryProxy basicProxy;
    static RegistryProxy tokenProxy;
    static RegistryProxy blobHost;
    static Vertx vertx;

    @TempDir
    Path tmp;
    TestRegistryConfig config;
    MutableClock clock;
    CountingRecorder recorder;
    final List<RegistryImageInspector> inspectors = new ArrayList<>();

    @BeforeAll
    static void start() {
        basic = TestRegistry.start(TestRegistry.Auth.HTPASSWD);
        token = TestRegistry.start(TestRegistry.Auth.TOKEN);
        basicProxy = new RegistryProxy(basic.base());
        tokenProxy = new RegistryProxy(token.base());
        blobHost = new RegistryProxy(null);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        blobHost.close();
        basicProxy.close();
        tokenProxy.close();
        basic.close();
        token.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void setUp() {
        config = new TestRegistryConfig();
        config.insecureRegistries.addAll(List.of(basicProxy.authority(), tokenProxy.authority(),
                token.tokens().authority()));
        clock = new MutableClock();
        recorder = new CountingRecorder();
        for (RegistryProxy p : List.of(basicProxy, tokenProxy, blobHost)) {
            p.clearAnswers();
            p.reset();
        }
    }

    @AfterEach
    void closeInspectors() {
        inspectors.forEach(RegistryImageInspector::close);
        inspectors.clear();
    }

    RegistryImageInspector inspector() {
        RegistryImageInspector i = new RegistryImageInspector(config, vertx, MAPPER, () -> {
            throw new IllegalStateException("no Kubernetes in this test");
        }, recorder, clock, host -> {
            if (host.equals("localhost")) {
                return new InetAddress[] { InetAddress.getByName("127.0.0.1") };
            }
            throw new UnknownHostException(host);
        });
        inspectors.add(i);
        return i;
    }

    Path authFile(String host, String user, String password) throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, TestRegistry.dockerConfigJson(host, user, password));
        config.authFile = f;
        return f;
    }

    // ---- htpasswd ----

    @Test
    void basicAuthWithoutCredentialsIs401Unavailable() {
        basic.pushImage("basic/app", "1.0", TestImages.config().user("1"), true, Map.of());

        assertThat(unavailable(inspect(inspector(), basicProxy.authority() + "/basic/app:1.0")))
                .startsWith(basicProxy.authority() + " requires authentication and Customs has no credentials for it");
    }

    @Test
    void basicAuthWithCredentialsFromAConfigJson() throws IOException {
        basic.pushImage("basic/private", "1.0", TestImages.config().user("10001"), true, Map.of());
        authFile(basicProxy.authority(), TestRegistry.USER, TestRegistry.PASSWORD);

        ImageFacts.Resolved r = resolved(inspect(inspector(), basicProxy.authority() + "/basic/private:1.0"));

        assertThat(r.platforms().get(0).config().user()).isEqualTo("10001");
        // the challenge is remembered: only the first request went without credentials
        assertThat(basicProxy.count(s -> !s.authorization())).isEqualTo(1);
        assertThat(basicProxy.blobGets()).isEqualTo(1);
    }

    @Test
    void wrongPasswordIsRefusedAndAChangedAuthFileIsReadAgain() throws IOException {
        basic.pushImage("basic/rotated", "1.0", TestImages.config().user("10001"), true, Map.of());
        Path f = authFile(basicProxy.authority(), TestRegistry.USER, "not-the-password");
        RegistryImageInspector inspector = inspector();

        String reason = unavailable(inspect(inspector, basicProxy.authority() + "/basic/rotated:1.0"));
        assertThat(reason).contains("refused the credentials").doesNotContain("not-the-password");

        Files.writeString(f, TestRegistry.dockerConfigJson(basicProxy.authority(), TestRegistry.USER,
                TestRegistry.PASSWORD));
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(10)));
        clock.advance(Duration.ofSeconds(31)); // past the negative cache and the file re-check interval
        resolved(inspect(inspector, basicProxy.authority() + "/basic/rotated:1.0"));
    }

    // ---- bearer tokens ----

    @Test
    void bearerWithoutCredentialsIsUnavailable() {
        token.pushImage("token/app", "1.0", TestImages.config().user("1"), true, Map.of());

        assertThat(unavailable(inspect(inspector(), tokenProxy.authority() + "/token/app:1.0")))
                .startsWith(tokenProxy.authority() + " requires authentication and Customs has no credentials for it");
    }

    @Test
    void bearerTokenIsFetchedWithConfigJsonCredentialsAndCachedUntilItExpires() throws IOException {
        token.pushImage("token/private", "1.0", TestImages.config().user("10001"), true, Map.of());
        token.pushImage("token/private", "2.0", TestImages.config().user("10002"), true, Map.of());
        token.pushImage("token/private", "3.0", TestImages.config().user("10003"), true, Map.of());
        authFile(tokenProxy.authority(), TestRegistry.USER, TestRegistry.PASSWORD);
        RegistryImageInspector inspector = inspector();
        int before = token.tokens().requests();

        assertThat(resolved(inspect(inspector, tokenProxy.authority() + "/token/private:1.0")).platforms().get(0)
                .config().user()).isEqualTo("10001");
        assertThat(token.tokens().requests() - before).isEqualTo(1);

        resolved(inspect(inspector, tokenProxy.authority() + "/token/private:2.0"));
        assertThat(token.tokens().requests() - before).as("a cached token serves the same repository").isEqualTo(1);
        assertThat(tokenProxy.count(s -> !s.authorization())).as("unauthenticated requests").isEqualTo(1);

        clock.advance(Duration.ofSeconds(token.tokens().expiresIn));
        resolved(inspect(inspector, tokenProxy.authority() + "/token/private:3.0"));
        assertThat(token.tokens().requests() - before).as("a new token after expiry").isEqualTo(2);
    }

    @Test
    void tokenServiceRefusingTheCredentials() throws IOException {
        token.pushImage("token/refused", "1.0", TestImages.config().user("1"), true, Map.of());
        authFile(tokenProxy.authority(), TestRegistry.USER, "wrong");

        assertThat(unavailable(inspect(inspector(), tokenProxy.authority() + "/token/refused:1.0")))
                .isEqualTo("the token service of " + tokenProxy.authority() + " refused the credentials (HTTP 401)");
    }

    /**
     * The registry behind a host is replaced by one whose token service is elsewhere, and the old token service goes
     * away: the challenge remembered from the first registry must not stay the only way in.
     */
    @Test
    void aTokenRealmThatMovedIsLearntAgain() throws IOException {
        try (TestRegistry before = TestRegistry.start(TestRegistry.Auth.TOKEN);
                TestRegistry after = TestRegistry.start(TestRegistry.Auth.TOKEN);
                RegistryProxy host = new RegistryProxy(before.base())) {
            for (TestRegistry r : List.of(before, after)) {
                r.pushImage("realm/app", "1.0", TestImages.config().user("10001"), true, Map.of());
                r.pushImage("realm/other", "1.0", TestImages.config().user("10002"), true, Map.of());
            }
            config.insecureRegistries.addAll(List.of(host.authority(), before.tokens().authority(),
                    after.tokens().authority()));
            authFile(host.authority(), TestRegistry.USER, TestRegistry.PASSWORD);
            RegistryImageInspector inspector = inspector();
            resolved(inspect(inspector, host.authority() + "/realm/app:1.0"));
            assertThat(before.tokens().requests()).isEqualTo(1);

            host.retarget(after.base());
            before.tokens().close();

            // another repository needs another token: the remembered realm is gone, the host's new one is learnt
            ImageFacts.Resolved other = resolved(inspect(inspector, host.authority() + "/realm/other:1.0"));
            assertThat(other.platforms().get(0).config().user()).isEqualTo("10002");
            assertThat(after.tokens().requests()).as("tokens from the new realm").isEqualTo(1);
            // and the new challenge is remembered: the next repository authenticates up front
            host.reset();
            clock.advance(Duration.ofMinutes(6));
            resolved(inspect(inspector, host.authority() + "/realm/app:1.0"));
            assertThat(host.count(s -> !s.authorization())).as("requests without credentials").isZero();
            assertThat(after.tokens().requests()).isEqualTo(2);
        }
    }

    // ---- redirects ----

    @Test
    void redirectToAnotherHostCarriesNoAuthorization() throws IOException {
        TestImages.Config cfg = TestImages.config().user("10001");
        TestRegistry.Pushed p = basic.pushImage("redirect/app", "1.0", cfg, true, Map.of());
        authFile(basicProxy.authority(), TestRegistry.USER, TestRegistry.PASSWORD);
        blobHost.answer("/storage/config", RegistryProxy.bytes(200, "application/octet-stream", cfg.json()));
        basicProxy.answer("/v2/redirect/app/blobs/" + p.configDigest(), RegistryProxy.redirect("http://localhost:"
                + blobHost.port() + "/storage/config?X-Amz-Signature=presigned"));
        config.allowedHosts.add("localhost");

        ImageFacts.Resolved r = resolved(inspect(inspector(), basicProxy.authority() + "/redirect/app:1.0"));

        assertThat(r.platforms().get(0).config().user()).isEqualTo("10001");
        assertThat(blobHost.seen()).hasSize(1).allMatch(s -> !s.authorization());
        assertThat(basicProxy.blobGets()).isEqualTo(1);
        assertThat(basicProxy.count(s -> s.path().contains("/blobs/") && s.authorization())).isEqualTo(1);
    }

    @Test
    void redirectToAMetadataAddressIsRefused() throws IOException {
        TestRegistry.Pushed p = basic.pushImage("redirect/evil", "1.0", TestImages.config().user("1"), true, Map.of());
        authFile(basicProxy.authority(), TestRegistry.USER, TestRegistry.PASSWORD);
        basicProxy.answer("/v2/redirect/evil/blobs/" + p.configDigest(),
                RegistryProxy.redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/"));

        assertThat(unavailable(inspect(inspector(), basicProxy.authority() + "/redirect/evil:1.0")))
                .startsWith("refused to contact 169.254.169.254");
    }

    @Test
    void credentialsNeverAppearInLogsOrReasons() {
        assertThat(new Credentials("user", "hunter2").toString()).doesNotContain("hunter2");
    }
}
