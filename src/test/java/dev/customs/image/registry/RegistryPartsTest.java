package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.rules.ImageConfig;

/** The registry client's pure parts: credentials matching, challenges, CIDRs and the address guard, parsing. */
class RegistryPartsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static DockerAuths auths(String json) throws Exception {
        return DockerAuths.parse(MAPPER.readTree(json));
    }

    @Test
    void dockerHubSpellingsAreOneHost() throws Exception {
        DockerAuths a = auths("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYXNz\"}}}");

        assertThat(a.lookup("registry-1.docker.io", "library/nginx")).get()
                .isEqualTo(new Credentials("user", "pass"));
        assertThat(a.lookup("docker.io", "team/app")).isPresent();
        assertThat(a.lookup("ghcr.io", "team/app")).isEmpty();
    }

    @Test
    void longestPathPrefixAndWildcardsMatchLikeTheKubelet() throws Exception {
        DockerAuths a = auths("{\"auths\":{"
                + "\"registry.example.com\":{\"username\":\"all\",\"password\":\"p1\"},"
                + "\"registry.example.com/team\":{\"username\":\"team\",\"password\":\"p2\"},"
                + "\"*.corp.example\":{\"username\":\"corp\",\"password\":\"p3\"},"
                + "\"token-only.example\":{\"identitytoken\":\"xyz\"}}}");

        assertThat(a.lookup("registry.example.com", "team/app").orElseThrow().username()).isEqualTo("team");
        assertThat(a.lookup("registry.example.com", "teamx/app").orElseThrow().username()).isEqualTo("all");
        assertThat(a.lookup("eu.corp.example", "app").orElseThrow().username()).isEqualTo("corp");
        assertThat(a.lookup("a.b.corp.example", "app")).isEmpty();
        assertThat(a.lookup("token-only.example", "app")).isEmpty();
    }

    @Test
    void legacyDockercfgIsTheAuthsMapItself() throws Exception {
        assertThat(auths("{\"quay.io\":{\"auth\":\"dXNlcjpwYXNz\"}}").lookup("quay.io", "x/y")).isPresent();
        assertThat(auths("[]").isEmpty()).isTrue();
        assertThat(auths("{\"auths\":{\"h\":{\"auth\":\"%%%\"}}}").isEmpty()).isTrue();
    }

    @Test
    void credentialsNeverPrintTheirPassword() {
        Credentials c = new Credentials("robot", "s3cr3t");

        assertThat(c.toString()).contains("robot").doesNotContain("s3cr3t");
        assertThat(c.cacheKey()).doesNotContain("s3cr3t").hasSize(32);
        assertThat(c.basicHeader()).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString("robot:s3cr3t".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bearerChallengeWithQuotedCommas() {
        Challenge c = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/nginx:pull,push\"").orElseThrow();

        assertThat(c.bearer()).isTrue();
        assertThat(c.param("realm")).isEqualTo("https://auth.docker.io/token");
        assertThat(c.param("service")).isEqualTo("registry.docker.io");
        assertThat(c.param("scope")).isEqualTo("repository:library/nginx:pull,push");
        assertThat(Challenge.parse("Basic realm=\"Registry\"").orElseThrow().basic()).isTrue();
        assertThat(Challenge.parse("")).isEmpty();
    }

    @Test
    void cidrsContainTheirAddresses() throws Exception {
        assertThat(Cidr.parse("169.254.0.0/16").contains(InetAddress.getByName("169.254.169.254"))).isTrue();
        assertThat(Cidr.parse("169.254.0.0/16").contains(InetAddress.getByName("169.255.0.1"))).isFalse();
        assertThat(Cidr.parse("fe80::/10").contains(InetAddress.getByName("febf::1"))).isTrue();
        assertThat(Cidr.parse("fe80::/10").contains(InetAddress.getByName("fec0::1"))).isFalse();
        assertThat(Cidr.parse("fd00:ec2::254").contains(InetAddress.getByName("fd00:ec2:0::254"))).isTrue();
        // an IPv4-mapped IPv6 address is the IPv4 address
        assertThat(Cidr.parse("169.254.0.0/16").contains(InetAddress.getByName("::ffff:169.254.169.254"))).isTrue();
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).hasMessageContaining("not a CIDR");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("prefix length");
    }

    @Test
    void guardChecksNamesAndEveryResolvedAddress() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        AddressGuard guard = new AddressGuard(List.of("169.254.0.0/16", "127.0.0.0/8", "::1/128"),
                List.of("registry.local:5000"), host -> {
                    lookups.incrementAndGet();
                    return switch (host) {
                        case "registry.local" -> new InetAddress[] { InetAddress.getByName("127.0.0.1") };
                        case "ok.example" -> new InetAddress[] { InetAddress.getByName("192.0.2.10") };
                        default -> new InetAddress[] { InetAddress.getByName("192.0.2.10"),
                                InetAddress.getByName("169.254.1.1") };
                    };
                }, Runnable::run);

        assertThat(guard.check("ok.example", 443).join().getHostAddress()).isEqualTo("192.0.2.10");
        assertThat(guard.check("registry.local", 5000).join().isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> guard.check("registry.local", 5001).join()).isInstanceOf(CompletionException.class)
                .hasMessageContaining("blocked network 127.0.0.0/8");
        assertThatThrownBy(() -> guard.check("mixed.example", 443).join())
                .hasMessageContaining("it resolves to 169.254.1.1");
        int before = lookups.get();
        assertThatThrownBy(() -> guard.check("Metadata.Google.Internal.", 80).join())
                .hasMessageContaining("cloud metadata host");
        assertThat(lookups.get()).isEqualTo(before);
    }

    @Test
    void manifestsAreParsedByTheirDeclaredOrHeaderMediaType() {
        byte[] index = TestImages.index(false, List.of(new TestImages.IndexEntry(TestImages.DOCKER_MANIFEST,
                "sha256:" + "a".repeat(64), 10, "linux", "arm", "v7")), Map.of());
        Manifest m = Manifest.parse(MAPPER, index, "application/json");
        assertThat(m).isInstanceOf(Manifest.Index.class);
        assertThat(((Manifest.Index) m).manifests().get(0).platform().toString()).isEqualTo("linux/arm/v7");

        byte[] noType = "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:abc\",\"size\":1}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(Manifest.parse(MAPPER, noType, TestImages.OCI_MANIFEST + "; charset=utf-8"))
                .isInstanceOf(Manifest.Image.class);

        assertThatThrownBy(() -> Manifest.parse(MAPPER, "{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8),
                null)).hasMessageContaining("schema 1");
        assertThatThrownBy(() -> Manifest.parse(MAPPER, "not json".getBytes(StandardCharsets.UTF_8), null))
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void imageConfigIsReadWithDefaults() {
        ImageConfig c = ConfigParser.parse(MAPPER, TestImages.config().platform("linux", "arm64").variant("v8")
                .user("app:app").cmd("serve").history("ARG NPM_TOKEN").labels(Map.of("a", "b")).json());

        assertThat(c.platform().toString()).isEqualTo("linux/arm64/v8");
        assertThat(c.user()).isEqualTo("app:app");
        assertThat(c.cmd()).containsExactly("serve");
        assertThat(c.entrypoint()).isEmpty();
        assertThat(c.labels()).containsEntry("a", "b");
        assertThat(c.history()).extracting(ImageConfig.History::createdBy).containsExactly("ARG NPM_TOKEN");

        ImageConfig empty = ConfigParser.parse(MAPPER, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(empty.user()).isEmpty();
        assertThat(empty.platform().toString()).isEqualTo("unknown/unknown");
    }

    @Test
    void digestsAreVerified() {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        String d = Digests.sha256(body);

        Digests.verify(d, body, "blob");
        assertThatThrownBy(() -> Digests.verify(d, "hellO".getBytes(StandardCharsets.UTF_8), "blob"))
                .hasMessageStartingWith("digest mismatch: the blob fetched as sha256:");
        assertThatThrownBy(() -> Digests.verify("md5:abc", body, "blob")).hasMessageContaining("unsupported digest");
    }

    @Test
    void endpointsAndOrigins() {
        assertThat(Endpoint.of("127.0.0.1:5000", true).uri("/v2/").toString()).isEqualTo("http://127.0.0.1:5000/v2/");
        assertThat(Endpoint.of("https://mirror.example/path", false).authority()).isEqualTo("mirror.example");
        assertThat(RegistryClient.sameOrigin(URI.create("https://r.example/v2/x"), URI.create("https://r.example:443/y")))
                .isTrue();
        assertThat(RegistryClient.sameOrigin(URI.create("https://r.example/v2/x"), URI.create("https://cdn.example/y")))
                .isFalse();
        assertThat(RegistryClient.sameOrigin(URI.create("http://r.example/"), URI.create("http://r.example:8080/")))
                .isFalse();
    }

    @Test
    void platformSettingsAreValidated() {
        assertThat(RegistryImageInspector.platform("linux/arm64/v8").variant()).isEqualTo("v8");
        assertThatThrownBy(() -> RegistryImageInspector.platform("amd64")).hasMessageContaining("os/architecture");
    }
}
