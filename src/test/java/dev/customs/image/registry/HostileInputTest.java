package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.PlatformSelector;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.Layer;
import dev.customs.rules.Platform;
import dev.customs.rules.PlatformImage;

/**
 * What a registry reference or an image written by an attacker can make of the registry client's pure parts: addresses
 * that hide a blocked IPv4 address, hosts {@code java.net.URI} cannot read, credentials in configured hosts, and images
 * over the limits of what Customs keeps.
 */
class HostileInputTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> DEFAULT_BLOCKED = new TestRegistryConfig().blockedNetworks;

    private static AddressGuard guard() {
        return new AddressGuard(DEFAULT_BLOCKED, List.of(), host -> {
            throw new AssertionError("no DNS lookup for " + host);
        }, Runnable::run);
    }

    private static String refusal(String host) {
        try {
            guard().check(host, 443).join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(RegistryFailure.class);
            assertThat(((RegistryFailure) e.getCause()).kind()).isEqualTo(RegistryFailure.Kind.REFUSED);
            return e.getCause().getMessage();
        }
        throw new AssertionError(host + " was not refused");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            [::a9fe:a9fe]          | 169.254.169.254 | 169.254.0.0/16
            [::7f00:1]             | 127.0.0.1       | 127.0.0.0/8
            [::ffff:a9fe:a9fe]     | 169.254.169.254 | 169.254.0.0/16
            [64:ff9b::a9fe:a9fe]   | 169.254.169.254 | 169.254.0.0/16
            [64:ff9b::7f00:1]      | 127.0.0.1       | 127.0.0.0/8
            [2002:a9fe:a9fe::1]    | 169.254.169.254 | 169.254.0.0/16
            [2002:6464:64c8::]     | 100.100.100.200 | 100.100.100.200/32
            """)
    void anIpv6AddressIsJudgedByTheIpv4AddressItCarries(String host, String ipv4, String network) {
        assertThat(refusal(host)).contains("refused to contact " + host).contains(ipv4)
                .contains("blocked network " + network);
    }

    @Test
    void ipv6AddressesThatCarryAnAllowedIpv4AddressAreAllowed() {
        assertThat(guard().check("[64:ff9b::c000:20a]", 443).join().getHostAddress()).isEqualTo("64:ff9b:0:0:0:0:c000:20a");
        assertThat(guard().check("[2002:c000:20a::1]", 443).join()).isNotNull();
        assertThat(guard().check("[2001:db8::a9fe:a9fe]", 443).join()).isNotNull();
    }

    @Test
    void theEmbeddedAddressOfEachForm() throws Exception {
        assertThat(Cidr.embeddedIpv4(InetAddress.getByName("::a9fe:a9fe").getAddress())).containsExactly(169, 254, 169,
                254);
        assertThat(Cidr.embeddedIpv4(InetAddress.getByName("64:ff9b::102:304").getAddress())).containsExactly(1, 2, 3,
                4);
        assertThat(Cidr.embeddedIpv4(InetAddress.getByName("2002:102:304:5::6").getAddress())).containsExactly(1, 2, 3,
                4);
        assertThat(Cidr.embeddedIpv4(InetAddress.getByName("64:ff9b:1::102:304").getAddress())).isNull();
        assertThat(Cidr.embeddedIpv4(InetAddress.getByName("fe80::1").getAddress())).isNull();
        assertThat(Cidr.embeddedIpv4(InetAddress.getByName("10.0.0.1").getAddress())).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            127.1         | 127.0.0.1
            0177.0.0.1    | 127.0.0.1
            0x7f.1        | 127.0.0.1
            0x7f000001    | 127.0.0.1
            2130706433    | 127.0.0.1
            017.0.0.1     | 15.0.0.1
            169.254.43518 | 169.254.169.254
            """)
    void numericHostsThatAreNotDottedQuadsAreRefusedWithTheAddressTheyMayMean(String host, String meaning) {
        assertThat(refusal(host)).isEqualTo("refused to contact " + host + ": a numeric host must be a dotted-quad "
                + "IPv4 address (a.b.c.d, no leading zeros); resolvers may read this one as " + meaning);
    }

    @Test
    void hostsJavaNetUriCannotReadGetAReasonNotANullPointer() {
        // what RegistryHttp meets when URI.getHost() is null: the raw authority
        assertThat(AddressGuard.unparsable("127.1:5000").getMessage()).startsWith("refused to contact 127.1: a numeric "
                + "host must be a dotted-quad IPv4 address");
        assertThat(AddressGuard.unparsable("0x7f.1").getMessage()).contains("127.0.0.1");
        assertThat(AddressGuard.unparsable("foo_bar.example:5000").getMessage())
                .isEqualTo("refused to contact foo_bar.example: it is not a valid host name");
        assertThat(AddressGuard.unparsable("robot:hunter2@127.1:5000").getMessage()).doesNotContain("hunter2")
                .doesNotContain("robot");
        assertThat(refusal("registry.1")).contains("dotted-quad").doesNotContain("resolvers may read");
        assertThat(refusal("[::g]")).contains("not a valid IPv6 address");
        assertThat(Endpoint.of("[:::]", false)).isNotNull();
        assertThatThrownBy(() -> Endpoint.of("[:::]", false).uri("/v2/")).isInstanceOf(RegistryFailure.class)
                .hasMessageContaining("refused to contact [:::]");
    }

    @Test
    void credentialsInConfiguredHostsFailStartUpWithoutBeingRepeated() {
        assertThatThrownBy(() -> RegistryImageInspector.configuredHost("customs.registry.mirrors.\"docker.io\"",
                "https://robot:hunter2@mirror.example:5000/v2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("customs.registry.mirrors.\"docker.io\": the entry for mirror.example:5000 "
                        + "carries credentials")
                .message().doesNotContain("hunter2").doesNotContain("robot");
        assertThatThrownBy(() -> RegistryImageInspector.configuredHost("customs.registry.insecure-registries",
                "127.1:5000")).hasMessageContaining("dotted-quad");
        assertThatThrownBy(() -> RegistryImageInspector.configuredHost("customs.registry.allowed-hosts", "host:port"))
                .hasMessageContaining("is not host[:port]");
        assertThat(RegistryImageInspector.configuredHost("k", "http://mirror.example:5000")).isEqualTo(
                "http://mirror.example:5000");
        assertThat(RegistryImageInspector.configuredHost("k", "[::1]:5000")).isEqualTo("[::1]:5000");
        assertThat(RegistryImageInspector.configuredHost("k", "localhost")).isEqualTo("localhost");
    }

    @Test
    void credentialsInAMirrorFailTheInspectorAtStartUp() {
        TestRegistryConfig config = new TestRegistryConfig();
        config.mirrors.put("docker.io", "mirror.example,robot:hunter2@other.example");
        assertThatThrownBy(() -> new RegistryImageInspector(config, null, MAPPER, () -> null,
                dev.customs.report.Recorder.NONE, java.time.Clock.systemUTC(), HostResolver.SYSTEM))
                .hasMessageContaining("customs.registry.mirrors.\"docker.io\": the entry for other.example carries")
                .message().doesNotContain("hunter2");
    }

    // ---- images over the limits of what Customs keeps ----

    private static RegistryFailure invalid(Runnable parse) {
        try {
            parse.run();
        } catch (RegistryFailure f) {
            assertThat(f.kind()).isEqualTo(RegistryFailure.Kind.INVALID);
            return f;
        }
        throw new AssertionError("parsed");
    }

    @Test
    void anIndexOfMorePlatformsThanCustomsKeepsIsRefused() {
        List<TestImages.IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i <= ImageLimits.INDEX_ENTRIES; i++) {
            entries.add(new TestImages.IndexEntry(TestImages.OCI_MANIFEST, "sha256:" + "%064x".formatted(i), 10,
                    "linux", "arch" + i, null));
        }
        byte[] over = TestImages.index(true, entries, Map.of());
        assertThat(invalid(() -> Manifest.parse(MAPPER, over, null)).getMessage())
                .isEqualTo("the image index has 257 manifests, more than the 256 Customs keeps of an image");
        byte[] at = TestImages.index(true, entries.subList(0, ImageLimits.INDEX_ENTRIES), Map.of());
        assertThat(((Manifest.Index) Manifest.parse(MAPPER, at, null)).manifests()).hasSize(256);
    }

    @Test
    void aManifestOfMoreLayersThanCustomsKeepsIsRefused() {
        List<String[]> layers = new ArrayList<>();
        for (int i = 0; i <= ImageLimits.LAYERS; i++) {
            layers.add(new String[] { TestImages.OCI_LAYER, "sha256:" + "%064x".formatted(i), "10" });
        }
        String config = "sha256:" + "c".repeat(64);
        assertThat(invalid(() -> Manifest.parse(MAPPER, TestImages.manifest(config, 1, layers), null)).getMessage())
                .isEqualTo("the image manifest has 1025 layers, more than the 1024 Customs keeps of an image");
        Manifest.Image at = (Manifest.Image) Manifest.parse(MAPPER,
                TestImages.manifest(config, 1, layers.subList(0, ImageLimits.LAYERS)), null);
        assertThat(at.layers()).hasSize(ImageLimits.LAYERS);
        assertThat(at.layers().get(3)).isEqualTo(new Manifest.Descriptor(TestImages.OCI_LAYER,
                "sha256:" + "%064x".formatted(3), 10));
        assertThat(at.config().digest()).isEqualTo(config);
    }

    @Test
    void manifestAnnotationsAreLimitedInNumberAndText() {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i <= ImageLimits.ANNOTATIONS; i++) {
            many.put("a" + i, "v");
        }
        byte[] manifest = TestImages.manifest(true, "sha256:" + "c".repeat(64), 1, "sha256:" + "d".repeat(64), 1,
                many);
        assertThat(invalid(() -> Manifest.parse(MAPPER, manifest, null)).getMessage())
                .isEqualTo("the manifest has 257 annotations, more than the 256 Customs keeps of an image");
        byte[] long_ = TestImages.manifest(true, "sha256:" + "c".repeat(64), 1, "sha256:" + "d".repeat(64), 1,
                Map.of("note", "x".repeat((int) ImageLimits.MANIFEST_TEXT)));
        assertThat(invalid(() -> Manifest.parse(MAPPER, long_, null)).getMessage())
                .isEqualTo("the manifest has more than 256 KiB of text in its annotations, digests and media types, "
                        + "more than Customs keeps of an image");
    }

    private static byte[] config(java.util.function.Consumer<ObjectNode> edit) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("os", "linux").put("architecture", "amd64");
        edit.accept(root);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ArrayNode array(int n, String prefix) {
        ArrayNode a = MAPPER.createArrayNode();
        for (int i = 0; i < n; i++) {
            a.add(prefix + i);
        }
        return a;
    }

    @Test
    void anImageConfigOverACountIsRefusedNamingIt() {
        assertThat(invalid(() -> ConfigParser.parse(MAPPER, config(r -> r.putObject("config").set("Env",
                array(ImageLimits.ENV + 1, "E=")))))
                .getMessage()).isEqualTo("the image config has 1025 Env entries, more than the 1024 Customs keeps of an "
                        + "image");
        assertThat(invalid(() -> ConfigParser.parse(MAPPER, config(r -> {
            ArrayNode h = r.putArray("history");
            for (int i = 0; i <= ImageLimits.HISTORY; i++) {
                h.addObject().put("created_by", "RUN step " + i);
            }
        }))).getMessage()).isEqualTo("the image config has 1025 history entries, more than the 1024 Customs keeps of "
                + "an image");
        assertThat(invalid(() -> ConfigParser.parse(MAPPER, config(r -> {
            ObjectNode labels = r.putObject("config").putObject("Labels");
            for (int i = 0; i <= ImageLimits.LABELS; i++) {
                labels.put("l" + i, "v");
            }
        }))).getMessage()).contains("1025 labels");
        assertThat(invalid(() -> ConfigParser.parse(MAPPER, config(r -> r.putObject("config").set("Cmd",
                array(ImageLimits.ARGUMENTS + 1, "arg")))))
                .getMessage()).contains("1025 Cmd arguments");

        ImageConfig atTheLimits = ConfigParser.parse(MAPPER, config(r -> {
            ObjectNode c = r.putObject("config");
            c.set("Env", array(ImageLimits.ENV, "E="));
            c.set("Entrypoint", array(ImageLimits.ARGUMENTS, "a"));
            ArrayNode h = r.putArray("history");
            for (int i = 0; i < ImageLimits.HISTORY; i++) {
                h.addObject().put("created_by", "RUN step " + i);
            }
        }));
        assertThat(atTheLimits.env()).hasSize(ImageLimits.ENV);
        assertThat(atTheLimits.history()).hasSize(ImageLimits.HISTORY);
    }

    @Test
    void anImageConfigWithMoreTextThanCustomsKeepsIsRefused() {
        String half = "x".repeat((int) ImageLimits.TEXT / 2);
        assertThat(invalid(() -> ConfigParser.parse(MAPPER, config(r -> {
            r.putObject("config").putArray("Env").add("A=" + half);
            r.putArray("history").addObject().put("created_by", "RUN " + half);
        }))).getMessage()).isEqualTo("the image config has more than 1024 KiB of text in its environment, labels, "
                + "entrypoint, command and history, more than Customs keeps of an image");
        // just under: kept whole
        ImageConfig c = ConfigParser.parse(MAPPER, config(r -> r.putArray("history").addObject().put("created_by",
                half)));
        assertThat(c.history().get(0).createdBy()).hasSize(half.length());
    }

    @Test
    void aConfigReadTokenByTokenReadsValuesAsBefore() {
        ImageConfig c = ConfigParser.parse(MAPPER, ("{\"os\":\"linux\",\"architecture\":null,\"extra\":{\"deep\":[1,"
                + "{\"x\":[]}]},\"config\":{\"User\":1000,\"Env\":[\"A=1\",null,7],\"Labels\":{\"n\":5,\"b\":true,"
                + "\"o\":{},\"z\":null},\"Entrypoint\":\"not a list\"},\"history\":[{\"created_by\":\"RUN x\","
                + "\"empty_layer\":true},{\"created_by\":null},\"odd\"]}").getBytes(StandardCharsets.UTF_8));

        assertThat(c.platform().toString()).isEqualTo("linux/unknown");
        assertThat(c.user()).isEqualTo("1000");
        assertThat(c.env()).containsExactly("A=1", "", "7");
        assertThat(c.labels()).containsOnly(Map.entry("n", "5"), Map.entry("b", "true"));
        assertThat(c.entrypoint()).isEmpty();
        assertThat(c.history()).containsExactly(new ImageConfig.History("RUN x", true), new ImageConfig.History("",
                false), new ImageConfig.History("", false));
        assertThat(invalid(() -> ConfigParser.parse(MAPPER, "{\"config\":{\"Env\":[".getBytes(
                StandardCharsets.UTF_8))).getMessage()).isEqualTo("the image config is not valid JSON");
        assertThat(invalid(() -> ConfigParser.parse(MAPPER, "[]".getBytes(StandardCharsets.UTF_8))).getMessage())
                .isEqualTo("the image config is not a JSON object");
    }

    @Test
    void aConfigFarOverALimitIsCountedToItsEnd() {
        StringBuilder env = new StringBuilder("{\"config\":{\"Env\":[");
        for (int i = 0; i < 100_000; i++) {
            env.append(i == 0 ? "" : ",").append("\"E=").append(i).append('"');
        }
        env.append("]}}");
        assertThat(invalid(() -> ConfigParser.parse(MAPPER, env.toString().getBytes(StandardCharsets.UTF_8)))
                .getMessage()).isEqualTo("the image config has 100000 Env entries, more than the 1024 Customs keeps of "
                        + "an image");
    }

    @Test
    void cachedEntriesWeighAtLeastTheirTextAndTheBudgetsShare() {
        ImageConfig small = ConfigParser.parse(MAPPER, TestImages.config().user("10001").json());
        ImageConfig big = ConfigParser.parse(MAPPER, config(r -> r.putArray("history").addObject().put("created_by",
                "y".repeat(500_000))));
        var weigher = CacheWeights.<String, ImageConfig> weigher(64L << 20, 10_000, CacheWeights::key,
                CacheWeights::config);

        // a small config weighs the budget's share per entry, so the entry limit holds as well
        assertThat(weigher.weigh("k", small)).isEqualTo((int) ((64L << 20) / 10_000));
        // a big one at least two bytes per character it keeps
        assertThat(weigher.weigh("k", big)).isGreaterThan(1_000_000);
    }

    @Test
    void resolvedFactsWeighTheirConfigsInFullAndTheirLayers() {
        ImageConfig big = ConfigParser.parse(MAPPER, config(r -> r.putArray("history").addObject().put("created_by",
                "y".repeat(500_000))));
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            layers.add(new Layer("sha256:" + "%064x".formatted(i), 10, TestImages.OCI_LAYER));
        }
        PlatformImage image = PlatformImage.judge(new Platform("linux", "amd64", null), big, Map.of(), layers);
        ImageFacts.Resolved facts = new ImageFacts.Resolved("sha256:" + "e".repeat(64), List.of(image, image));

        // a resolved image keeps its configs alive even when the config cache has let them go: both count in full
        assertThat(CacheWeights.resolved(facts)).isGreaterThan(2 * CacheWeights.config(big))
                .isGreaterThan(2 * 100 * 2 * 71L);
        assertThat(CacheWeights.judged(big, image.verdict().config())).isGreaterThan(CacheWeights.config(big));
        // and the platforms a pod asks for, which its node selector writes
        assertThat(CacheWeights.selector(new PlatformSelector(Set.of("x".repeat(10_000)),
                Set.of()))).isGreaterThan(20_000);
    }
}
