package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.customs.image.ImageRequest;
import dev.customs.image.PlatformSelector;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;
import dev.customs.rules.PlatformImage;
import dev.customs.rules.PodViews;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;

/**
 * The registry inspector against a real registry (docker-registry on loopback) behind a counting proxy: manifest
 * formats, platforms, caching and its request counts, failures, and hostile references.
 */
class RegistryInspectorIT extends RealRegistry {

    private static final Logger LOG = Logger.getLogger(RegistryInspectorIT.class);

    private static final PlatformSelector ARM64 = new PlatformSelector(Set.of("linux"), Set.of("arm64"));
    private static final PlatformSelector AMD64 = new PlatformSelector(Set.of("linux"), Set.of("amd64"));

    TestRegistryConfig config;
    MutableClock clock;
    CountingRecorder recorder;
    final Map<String, InetAddress[]> dns = new ConcurrentHashMap<>();
    final AtomicInteger lookups = new AtomicInteger();
    final List<RegistryImageInspector> inspectors = new ArrayList<>();

    @BeforeEach
    void setUp() {
        config = new TestRegistryConfig();
        config.insecureRegistries.add(proxy.authority());
        clock = new MutableClock();
        recorder = new CountingRecorder();
        proxy.up();
        proxy.delay(Duration.ZERO);
        proxy.clearAnswers();
        proxy.reset();
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
            lookups.incrementAndGet();
            InetAddress[] a = dns.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return a;
        });
        inspectors.add(i);
        return i;
    }

    static ImageFacts inspect(RegistryImageInspector inspector, String image, PlatformSelector platforms) {
        try {
            return inspector.inspect(ImageReference.parse(image), new ImageRequest(platforms, "default", List.of(), null))
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("inspection did not complete: " + e, e);
        }
    }

    static ImageFacts inspect(RegistryImageInspector inspector, String image) {
        return inspect(inspector, image, PlatformSelector.ANY_LINUX);
    }

    String ref(String repo, String tagOrDigest) {
        return proxy.authority() + "/" + repo + (tagOrDigest.contains(":") ? "@" : ":") + tagOrDigest;
    }

    static ImageFacts.Resolved resolved(ImageFacts f) {
        assertThat(f).as("facts").isInstanceOf(ImageFacts.Resolved.class);
        return (ImageFacts.Resolved) f;
    }

    static String unavailable(ImageFacts f) {
        assertThat(f).as("facts").isInstanceOf(ImageFacts.Unavailable.class);
        return ((ImageFacts.Unavailable) f).reason();
    }

    static Map<String, String> users(ImageFacts.Resolved r) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (PlatformImage p : r.platforms()) {
            out.put(p.platform().toString(), p.config().user());
        }
        return out;
    }

    // ---- formats ----

    @ParameterizedTest(name = "oci={0}")
    @ValueSource(booleans = { true, false })
    void singleManifestFormats(boolean oci) {
        String repo = "formats/" + (oci ? "oci" : "docker");
        TestRegistry.Pushed p = registry.pushImage(repo, "1.0", TestImages.config().user("10001")
                .entrypoint("/app/server").labels(TestImages.OCI_LABELS).env("MODE=prod"), oci,
                Map.of("org.opencontainers.image.url", "https://example.com"));

        ImageFacts.Resolved r = resolved(inspect(inspector(), ref(repo, "1.0")));

        assertThat(r.digest()).isEqualTo(p.digest());
        assertThat(r.platforms()).hasSize(1);
        PlatformImage image = r.platforms().get(0);
        assertThat(image.platform().toString()).isEqualTo("linux/amd64");
        assertThat(image.config().user()).isEqualTo("10001");
        assertThat(image.config().entrypoint()).containsExactly("/app/server");
        assertThat(image.config().env()).contains("MODE=prod");
        assertThat(image.config().labels()).containsAllEntriesOf(TestImages.OCI_LABELS);
        assertThat(image.annotations()).containsEntry("org.opencontainers.image.url", "https://example.com");
        assertThat(proxy.manifestGets()).isEqualTo(1);
        assertThat(proxy.blobGets()).isEqualTo(1);
        assertThat(recorder.resolutions).containsExactly("miss");
    }

    @ParameterizedTest(name = "oci={0}")
    @ValueSource(booleans = { true, false })
    void multiPlatformIndexWithAndWithoutNodeSelector(boolean oci) {
        String repo = "multi/" + (oci ? "oci-index" : "docker-list");
        TestRegistry.Pushed amd = registry.pushImage(repo, null, TestImages.config().platform("linux", "amd64").user(""),
                oci, Map.of("org.opencontainers.image.revision", "amd-rev"));
        TestRegistry.Pushed arm = registry.pushImage(repo, null,
                TestImages.config().platform("linux", "arm64").variant("v8").user("1000"), oci, Map.of());
        String index = registry.pushIndex(repo, "2.0", oci, List.of(amd.entry(), arm.entry()),
                oci ? Map.of("org.opencontainers.image.source", "https://example.com/src") : Map.of());
        RegistryImageInspector inspector = inspector();

        ImageFacts.Resolved all = resolved(inspect(inspector, ref(repo, "2.0")));
        assertThat(all.digest()).isEqualTo(index);
        assertThat(users(all)).containsExactly(Map.entry("linux/amd64", ""), Map.entry("linux/arm64/v8", "1000"));
        PlatformImage amdImage = all.platforms().stream().filter(p -> p.platform().architecture().equals("amd64"))
                .findFirst().orElseThrow();
        assertThat(amdImage.annotations()).containsEntry("org.opencontainers.image.revision", "amd-rev");
        if (oci) {
            assertThat(amdImage.annotations()).containsEntry("org.opencontainers.image.source",
                    "https://example.com/src");
        }

        ImageFacts.Resolved onArm = resolved(inspect(inspector, ref(repo, "2.0"), ARM64));
        assertThat(users(onArm)).containsExactly(Map.entry("linux/arm64/v8", "1000"));
        ImageFacts.Resolved onAmd = resolved(inspect(inspector, ref(repo, "2.0"), AMD64));
        assertThat(users(onAmd)).containsExactly(Map.entry("linux/amd64", ""));

        // one index, two platform manifests, two configs: the narrowed lookups were served from the cache
        assertThat(proxy.manifestGets()).isEqualTo(3);
        assertThat(proxy.blobGets()).isEqualTo(2);
    }

    @Test
    void arm64OnlyImageIsNeverAnErrorByItself() {
        String repo = "multi/arm64-only";
        TestRegistry.Pushed arm = registry.pushImage(repo, null,
                TestImages.config().platform("linux", "arm64").user("1000"), true, Map.of());
        // buildx adds attestation manifests with platform unknown/unknown; they are not a platform
        TestImages.IndexEntry attestation = new TestImages.IndexEntry(arm.mediaType(), arm.digest(), arm.size(),
                "unknown", "unknown", null);
        registry.pushIndex(repo, "1.0", true, List.of(arm.entry(), attestation), Map.of());
        config.platforms = List.of("linux/amd64");
        RegistryImageInspector inspector = inspector();

        ImageFacts.Resolved r = resolved(inspect(inspector, ref(repo, "1.0")));
        assertThat(users(r)).containsExactly(Map.entry("linux/arm64", "1000"));

        String reason = unavailable(inspect(inspector, ref(repo, "1.0"), AMD64));
        assertThat(reason).contains("no manifest for linux/amd64").contains("it has linux/arm64");
    }

    @Test
    void configuredPlatformsNarrowAnUnconstrainedPod() {
        String repo = "multi/configured";
        TestRegistry.Pushed amd = registry.pushImage(repo, null, TestImages.config().platform("linux", "amd64").user(""),
                true, Map.of());
        TestRegistry.Pushed arm = registry.pushImage(repo, null,
                TestImages.config().platform("linux", "arm64").user("1000"), true, Map.of());
        registry.pushIndex(repo, "1.0", true, List.of(amd.entry(), arm.entry()), Map.of());
        config.platforms = List.of("linux/arm64");

        ImageFacts.Resolved r = resolved(inspect(inspector(), ref(repo, "1.0")));

        assertThat(users(r)).containsExactly(Map.entry("linux/arm64", "1000"));
        assertThat(proxy.blobGets()).isEqualTo(1);
    }

    /** A pod kept off arm64 by NotIn node affinity: the arm64 manifest and config are never fetched. */
    @Test
    void notInNodeAffinityNarrowsTheIndex() {
        String repo = "multi/not-in";
        TestRegistry.Pushed amd = registry.pushImage(repo, null, TestImages.config().platform("linux", "amd64").user(""),
                true, Map.of());
        TestRegistry.Pushed arm = registry.pushImage(repo, null,
                TestImages.config().platform("linux", "arm64").user("1000"), true, Map.of());
        TestRegistry.Pushed s390x = registry.pushImage(repo, null,
                TestImages.config().platform("linux", "s390x").user("2000"), true, Map.of());
        registry.pushIndex(repo, "1.0", true, List.of(amd.entry(), arm.entry(), s390x.entry()), Map.of());
        PodSpec notArm = new PodSpecBuilder().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey(PlatformSelector.ARCH_LABEL).withOperator("NotIn").withValues("arm64").endMatchExpression()
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .endAffinity().build();
        proxy.reset();

        ImageFacts.Resolved r = resolved(
                inspect(inspector(), ref(repo, "1.0"), PlatformSelector.of(PodViews.of(notArm).spec())));

        assertThat(users(r)).containsExactly(Map.entry("linux/amd64", ""), Map.entry("linux/s390x", "2000"));
        assertThat(proxy.blobGets()).as("the configs of amd64 and s390x only").isEqualTo(2);
        assertThat(proxy.count(s -> s.path().endsWith(arm.digest()))).isZero();
    }

    @Test
    void schema1IsUnavailableWithItsReason() {
        String repo = "formats/schema1";
        proxy.answer("/v2/" + repo + "/manifests/old", RegistryProxy.bytes(200,
                "application/vnd.docker.distribution.manifest.v1+prettyjws",
                TestImages.utf8("{\"schemaVersion\":1,\"name\":\"formats/schema1\",\"tag\":\"old\",\"fsLayers\":[]}")));

        assertThat(unavailable(inspect(inspector(), ref(repo, "old")))).contains("schema 1");
    }

    @Test
    void unknownManifestTypeAndNonImageConfigAreUnavailable() {
        String repo = "formats/odd";
        proxy.answer("/v2/" + repo + "/manifests/weird", RegistryProxy.bytes(200, "application/vnd.example.thing+json",
                TestImages.utf8("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.thing+json\"}")));
        byte[] cfg = TestImages.utf8("{\"chart\":true}");
        String cfgDigest = registry.pushBlob(repo, cfg);
        byte[] layer = TestImages.utf8("chart layer");
        String layerDigest = registry.pushBlob(repo, layer);
        registry.pushManifest(repo, "chart", TestImages.OCI_MANIFEST, TestImages.manifest(true,
                "application/vnd.cncf.helm.config.v1+json", cfgDigest, cfg.length, layerDigest, layer.length, null));
        RegistryImageInspector inspector = inspector();

        assertThat(unavailable(inspect(inspector, ref(repo, "weird"))))
                .contains("unsupported manifest media type \"application/vnd.example.thing+json\"");
        assertThat(unavailable(inspect(inspector, ref(repo, "chart")))).contains("not a container image")
                .contains("helm");
    }

    // ---- caching and request counts ----

    @Test
    void digestReferenceNeedsNoTagLookupAndIsFreeWhenWarm() {
        String repo = "cache/pinned";
        TestRegistry.Pushed p = registry.pushImage(repo, "1.0", TestImages.config().user("10001"), true, Map.of());
        RegistryImageInspector inspector = inspector();

        resolved(inspect(inspector, ref(repo, p.digest())));
        assertThat(proxy.manifestHeads()).isZero();
        assertThat(proxy.manifestGets()).isEqualTo(1);
        assertThat(proxy.seen()).allMatch(s -> !s.path().endsWith("/manifests/1.0"));
        proxy.reset();

        clock.advance(Duration.ofDays(3));
        long started = System.nanoTime();
        ImageFacts.Resolved again = resolved(inspect(inspector, ref(repo, p.digest())));
        long micros = (System.nanoTime() - started) / 1000;

        assertThat(again.digest()).isEqualTo(p.digest());
        assertThat(proxy.total()).as("requests for a warm digest reference").isZero();
        assertThat(recorder.resolutions).containsExactly("miss", "hit");
        LOG.info("[figure] warm digest-pinned resolution: " + micros + " µs, 0 registry requests");
    }

    @Test
    void warmTagMakesAtMostOneHeadPerTtl() {
        String repo = "cache/warm-tag";
        registry.pushImage(repo, "1.0", TestImages.config().user("10001"), true, Map.of());
        config.tagTtl = Duration.ofMinutes(5);
        RegistryImageInspector inspector = inspector();
        resolved(inspect(inspector, ref(repo, "1.0")));
        proxy.reset();

        for (int i = 0; i < 20; i++) {
            resolved(inspect(inspector, ref(repo, "1.0")));
        }
        assertThat(proxy.total()).as("requests within the TTL").isZero();

        clock.advance(Duration.ofMinutes(6));
        for (int i = 0; i < 20; i++) {
            resolved(inspect(inspector, ref(repo, "1.0")));
        }
        assertThat(proxy.manifestHeads()).as("HEADs after the TTL").isEqualTo(1);
        assertThat(proxy.total()).as("all requests after the TTL").isEqualTo(1);
        assertThat(recorder.resolutions("hit")).isEqualTo(39);
        assertThat(recorder.resolutions("refresh")).as("the HEAD after the TTL is a refresh, not a miss").isEqualTo(1);
        assertThat(recorder.resolutions("miss")).as("only the first resolution fetched").isEqualTo(1);
    }

    @Test
    void tagMovedBetweenTwoAdmissionsIsSeenAfterTheTtl() {
        String repo = "cache/moving-tag";
        registry.pushImage(repo, "stable", TestImages.config().user("root"), true, Map.of());
        config.tagTtl = Duration.ofSeconds(30);
        RegistryImageInspector inspector = inspector();
        assertThat(resolved(inspect(inspector, ref(repo, "stable"))).platforms().get(0).config().user())
                .isEqualTo("root");

        TestRegistry.Pushed moved = registry.pushImage(repo, "stable", TestImages.config().user("10001"), true,
                Map.of());
        assertThat(resolved(inspect(inspector, ref(repo, "stable"))).platforms().get(0).config().user())
                .as("within the TTL the cached digest serves").isEqualTo("root");
        proxy.reset();

        clock.advance(Duration.ofSeconds(31));
        ImageFacts.Resolved after = resolved(inspect(inspector, ref(repo, "stable")));

        assertThat(after.digest()).isEqualTo(moved.digest());
        assertThat(after.platforms().get(0).config().user()).isEqualTo("10001");
        assertThat(proxy.manifestHeads()).isEqualTo(1);
        assertThat(proxy.manifestGets()).as("the new manifest, by digest").isEqualTo(1);
        assertThat(proxy.blobGets()).isEqualTo(1);
        assertThat(recorder.resolutions).as("a moved tag fetches: a miss").endsWith("miss");
    }

    @Test
    void fiftyConcurrentAdmissionsOfANewImageMakeOneFetch() throws Exception {
        String repo = "cache/stampede";
        registry.pushImage(repo, "1.0", TestImages.config().user("10001"), true, Map.of());
        proxy.delay(Duration.ofMillis(200)); // keep the first fetch in flight while the others arrive
        RegistryImageInspector inspector = inspector();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<ImageFacts>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return inspect(inspector, ref(repo, "1.0"));
                }, pool));
            }
            go.countDown();
            for (CompletableFuture<ImageFacts> f : all) {
                resolved(f.get(20, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(proxy.manifestGets()).as("manifest fetches").isEqualTo(1);
        assertThat(proxy.blobGets()).as("config fetches").isEqualTo(1);
        assertThat(proxy.total()).isEqualTo(2);
        LOG.info("[figure] 50 concurrent admissions of a new image: " + proxy.manifestGets()
                + " manifest GET, " + proxy.blobGets() + " config GET");
    }

    @Test
    void failuresAreRememberedForTheNegativeTtl() {
        config.negativeTtl = Duration.ofSeconds(30);
        RegistryImageInspector inspector = inspector();

        String reason = unavailable(inspect(inspector, ref("cache/missing", "1.0")));
        assertThat(reason).contains("not found").contains("404").contains("MANIFEST_UNKNOWN");
        assertThat(proxy.total()).isEqualTo(1);

        unavailable(inspect(inspector, ref("cache/missing", "1.0")));
        assertThat(proxy.total()).as("within the negative TTL").isEqualTo(1);

        clock.advance(Duration.ofSeconds(31));
        unavailable(inspect(inspector, ref("cache/missing", "1.0")));
        assertThat(proxy.total()).isEqualTo(2);
        assertThat(recorder.resolutions).containsExactly("error", "error", "error");
    }

    // ---- failing registries ----

    @Test
    void downRegistryServesTheLastKnownDigestUpToMaxStale() {
        String repo = "down/stale";
        registry.pushImage(repo, "1.0", TestImages.config().user("10001"), true, Map.of());
        config.tagTtl = Duration.ofMinutes(5);
        config.maxStale = Duration.ofHours(24);
        RegistryImageInspector inspector = inspector();
        resolved(inspect(inspector, ref(repo, "1.0")));

        proxy.down();
        clock.advance(Duration.ofMinutes(10));
        ImageFacts.Resolved stale = resolved(inspect(inspector, ref(repo, "1.0")));
        assertThat(stale.platforms().get(0).config().user()).isEqualTo("10001");
        assertThat(recorder.resolutions).containsExactly("miss", "stale");

        clock.advance(Duration.ofHours(25));
        assertThat(unavailable(inspect(inspector, ref(repo, "1.0")))).contains("cannot connect to " + proxy.authority());
    }

    @Test
    void aSlowCheckOfAKnownTagServesItsLastDigestMeanwhileAndOneCheckRuns() throws Exception {
        String repo = "slow/known-tag";
        registry.pushImage(repo, "1.0", TestImages.config().user("10001"), true, Map.of());
        config.tagTtl = Duration.ofMinutes(5);
        config.budget = Duration.ofSeconds(1); // the last digest serves after half of it
        config.requestTimeout = Duration.ofSeconds(30);
        RegistryImageInspector inspector = inspector();
        resolved(inspect(inspector, ref(repo, "1.0")));
        registry.pushImage(repo, "1.0", TestImages.config().user("10002"), true, Map.of()); // the tag moves

        proxy.reset();
        proxy.delay(Duration.ofSeconds(6));
        clock.advance(Duration.ofMinutes(10));
        long started = System.nanoTime();
        ImageFacts.Resolved first = resolved(inspect(inspector, ref(repo, "1.0")));
        ImageFacts.Resolved second = resolved(inspect(inspector, ref(repo, "1.0")));
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertThat(users(first).values()).containsOnly("10001");
        assertThat(users(second).values()).containsOnly("10001");
        assertThat(ms).as("ms for two reviews while the check takes 6 s").isLessThan(5000);
        assertThat(recorder.resolutions).endsWith("stale", "stale");
        assertThat(proxy.manifestHeads()).as("checks of the tag started").isEqualTo(1);

        // the check answers: the tag's new digest serves from then on
        proxy.delay(Duration.ZERO);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String user = "10001";
        while (!user.equals("10002") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            user = users(resolved(inspect(inspector, ref(repo, "1.0")))).values().iterator().next();
        }
        assertThat(user).as("the user after the check answered").isEqualTo("10002");
    }

    @Test
    void downRegistryWithNothingCachedIsUnavailable() {
        proxy.down();
        assertThat(unavailable(inspect(inspector(), ref("down/cold", "1.0"))))
                .isEqualTo("cannot connect to " + proxy.authority());
    }

    @Test
    void slowRegistryIsCutOffByTheRequestTimeout() {
        String repo = "slow/image";
        registry.pushImage(repo, "1.0", TestImages.config().user("10001"), true, Map.of());
        proxy.delay(Duration.ofSeconds(5));
        config.requestTimeout = Duration.ofMillis(800);

        long started = System.nanoTime();
        String reason = unavailable(inspect(inspector(), ref(repo, "1.0")));
        long ms = (System.nanoTime() - started) / 1_000_000;

        assertThat(reason).contains("did not answer within 800 ms");
        assertThat(ms).isLessThan(2500);
    }

    @Test
    void configBlobWhoseDigestDoesNotMatchIsUnavailable() {
        String repo = "integrity/config";
        TestRegistry.Pushed p = registry.pushImage(repo, "1.0", TestImages.config().user("root"), true, Map.of());
        byte[] forged = TestImages.config().user("10001").json();
        proxy.answer("/v2/" + repo + "/blobs/" + p.configDigest(), RegistryProxy.bytes(200,
                "application/octet-stream", forged));

        assertThat(unavailable(inspect(inspector(), ref(repo, "1.0")))).contains("digest mismatch")
                .contains("config blob");
    }

    @Test
    void manifestFetchedByDigestIsVerified() {
        String repo = "integrity/manifest";
        TestRegistry.Pushed p = registry.pushImage(repo, "1.0", TestImages.config().user("root"), true, Map.of());
        TestRegistry.Pushed other = registry.pushImage(repo, "other", TestImages.config().user("10001"), true,
                Map.of());
        byte[] otherBody = TestImages.manifest(true, other.configDigest(), 0, other.configDigest(), 0, null);
        proxy.answer("/v2/" + repo + "/manifests/" + p.digest(), RegistryProxy.bytes(200, TestImages.OCI_MANIFEST,
                otherBody));

        assertThat(unavailable(inspect(inspector(), ref(repo, p.digest())))).contains("digest mismatch")
                .contains("manifest");
    }

    @Test
    void oversizedManifestIsCutOffWhileReading() {
        String repo = "size/manifest";
        AtomicLong written = new AtomicLong();
        proxy.answer("/v2/" + repo + "/manifests/huge", RegistryProxy.stream(TestImages.OCI_MANIFEST,
                50L * 1024 * 1024, written));

        String reason = unavailable(inspect(inspector(), ref(repo, "huge")));

        assertThat(reason).contains("manifest is larger than 4 MiB");
        assertThat(written.get()).as("bytes the registry got to send").isLessThan(20L * 1024 * 1024);
    }

    @Test
    void oversizedManifestIsRefusedByItsContentLength() {
        String repo = "size/declared";
        proxy.answer("/v2/" + repo + "/manifests/big", RegistryProxy.bytes(200, TestImages.OCI_MANIFEST,
                new byte[5 * 1024 * 1024]));

        assertThat(unavailable(inspect(inspector(), ref(repo, "big")))).contains("larger than 4 MiB");
    }

    @Test
    void oversizedConfigIsRefused() {
        String repo = "size/config";
        registry.pushImage(repo, "big", TestImages.config().user("10001").padTo(9 * 1024 * 1024), true, Map.of());
        TestRegistry.Pushed lying = registry.pushImage(repo, "lying", TestImages.config().user("1"), true, Map.of());
        AtomicLong written = new AtomicLong();
        proxy.answer("/v2/" + repo + "/blobs/" + lying.configDigest(), RegistryProxy.stream("application/json",
                50L * 1024 * 1024, written));
        RegistryImageInspector inspector = inspector();

        assertThat(unavailable(inspect(inspector, ref(repo, "big")))).contains("config blob is larger than 8 MiB");
        assertThat(proxy.blobGets()).as("refused by its descriptor size, never fetched").isZero();
        assertThat(unavailable(inspect(inspector, ref(repo, "lying")))).contains("config blob is larger than 8 MiB");
        assertThat(written.get()).isLessThan(30L * 1024 * 1024);
    }

    @Test
    void redirectLoopStopsAfterFive() {
        String repo = "redirect/loop";
        TestRegistry.Pushed p = registry.pushImage(repo, "1.0", TestImages.config().user("1"), true, Map.of());
        String path = "/v2/" + repo + "/blobs/" + p.configDigest();
        proxy.answer(path, RegistryProxy.redirect("http://" + proxy.authority() + path));

        assertThat(unavailable(inspect(inspector(), ref(repo, "1.0")))).contains("more than 5 redirects");
        assertThat(proxy.blobGets()).isEqualTo(6);
    }

    // ---- mirrors and TLS ----

    @Test
    void mirrorServesTheRegistryAndTheRegistryIsTheFallback() throws Exception {
        String repo = "mirror/app";
        registry.pushImage(repo, "1.0", TestImages.config().user("10001"), true, Map.of());
        try (RegistryProxy upstream = new RegistryProxy(registry.base())) {
            config.insecureRegistries.add(upstream.authority());
            config.mirrors.put(upstream.authority(), proxy.authority());
            RegistryImageInspector inspector = inspector();

            resolved(inspect(inspector, upstream.authority() + "/" + repo + ":1.0"));
            assertThat(upstream.total()).as("requests to the mirrored registry").isZero();
            assertThat(proxy.manifestGets()).isEqualTo(1);

            proxy.down();
            resolved(inspect(inspector, upstream.authority() + "/" + repo + "@"
                    + registry.pushImage(repo, "2.0", TestImages.config().user("2"), true, Map.of()).digest()));
            assertThat(upstream.manifestGets()).as("fallback to the registry when the mirror is down").isEqualTo(1);
        }
    }

    @Test
    void tlsRegistryIsTrustedThroughTheCaFile() {
        try (TestRegistry tls = TestRegistry.start(TestRegistry.Auth.NONE, true)) {
            tls.pushImage("tls/app", "1.0", TestImages.config().user("10001"), true, Map.of());
            config.allowedHosts.add(tls.authority());

            String untrusted = unavailable(inspect(inspector(), tls.authority() + "/tls/app:1.0"));
            assertThat(untrusted).contains("TLS with " + tls.authority() + " failed");

            config.caFile = tls.caFile();
            resolved(inspect(inspector(), tls.authority() + "/tls/app:1.0"));
        }
    }

    // ---- hostile references ----

    @ParameterizedTest
    @ValueSource(strings = { "169.254.169.254/latest/meta-data:1", "169.254.169.254:80/app:1",
            "[fd00:ec2::254]/app:1", "[fe80::1]:5000/app:1", "metadata.google.internal/computemetadata/v1:1",
            "100.100.100.200/app:1", "0.0.0.0:5000/app:1" })
    void metadataAndLinkLocalHostsAreNeverContacted(String image) {
        String reason = unavailable(inspect(inspector(), image));

        assertThat(reason).startsWith("refused to contact ");
        assertThat(recorder.registryRequests).as("registry requests made").isEmpty();
        assertThat(lookups.get()).as("DNS lookups made").isZero();
    }

    @Test
    void aHostNameResolvingToABlockedAddressIsRefused() throws Exception {
        dns.put("registry.rebind.example", new InetAddress[] { InetAddress.getByName("10.1.2.3"),
                InetAddress.getByName("169.254.169.254") });

        String reason = unavailable(inspect(inspector(), "registry.rebind.example/app:1"));

        assertThat(reason).isEqualTo("refused to contact registry.rebind.example: it resolves to 169.254.169.254, "
                + "in blocked network 169.254.0.0/16");
        assertThat(recorder.registryRequests).isEmpty();
    }

    @Test
    void loopbackIsRefusedUnlessListed() {
        registry.pushImage("loopback/app", "1.0", TestImages.config().user("1"), true, Map.of());
        String unlisted = "127.0.0.1:" + proxy.port();
        config.insecureRegistries.clear();

        assertThat(unavailable(inspect(inspector(), unlisted + "/loopback/app:1.0"))).contains("blocked network 127.0.0.0/8")
                .contains("insecure-registries or allowed-hosts");
        assertThat(proxy.total()).isZero();

        config.insecureRegistries.add(unlisted);
        resolved(inspect(inspector(), unlisted + "/loopback/app:1.0"));
    }
}
