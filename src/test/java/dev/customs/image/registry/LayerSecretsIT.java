package dev.customs.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.customs.image.ImageResolver;
import dev.customs.image.layers.LayerScans;
import dev.customs.image.layers.TestTar;
import dev.customs.image.registry.TestImages.TestLayer;
import dev.customs.report.Recorder;
import dev.customs.rules.ContainerView;
import dev.customs.rules.Findings;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.LayerSecrets;
import dev.customs.rules.LeakedSecret;
import dev.customs.rules.PodView;
import dev.customs.rules.PodViews;
import dev.customs.rules.Violation;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;

/**
 * Layer files against a real registry (docker-registry on loopback, images pushed through the distribution API) behind
 * a counting proxy: the .npmrc that lingers after a later layer deletes it, every secret file kind, gzip, zstd and plain
 * layers, a layer shared by two images scanned once, redirects to blob storage, a digest mismatch, and a 200 MB layer
 * under background (the review does not wait) and admission (unverified past the budget).
 */
class LayerSecretsIT extends RealRegistry {

    private static final Logger LOG = Logger.getLogger(LayerSecretsIT.class);
    static final String NPM = "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";
    static final String KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
            + "-----END OPENSSH PRIVATE KEY-----\n";

    final List<AutoCloseable> closing = new ArrayList<>();
    final List<String> scans = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> verdictLookups = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void reset() {
        proxy.clearAnswers();
        proxy.throttleBlobs(0);
        proxy.reset();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** An inspector with its own layer scans (an empty verdict cache), and a resolver with {@code budget}. */
    ImageResolver resolver(LayerScans.Mode mode, Duration budget, String... allowedHosts) {
        TestRegistryConfig config = new TestRegistryConfig();
        config.insecureRegistries.add(proxy.authority());
        config.allowedHosts.addAll(List.of(allowedHosts));
        config.budget = budget;
        // a loaded machine answers slowly; nothing here is about request timeouts
        config.requestTimeout = Duration.ofSeconds(10);
        LayerScans scansOf = new LayerScans(new LayerScans.Settings(mode, 1L << 30, 1L << 40, 2), new Recorder() {
            @Override
            public void layerScan(String result, long bytes) {
                scans.add(result);
            }

            @Override
            public void layerVerdicts(String result, int count) {
                for (int i = 0; i < count; i++) {
                    verdictLookups.add(result);
                }
            }
        });
        RegistryImageInspector inspector = new RegistryImageInspector(config, vertx, MAPPER, () -> {
            throw new IllegalStateException("no Kubernetes here");
        }, Recorder.NONE, java.time.Clock.systemUTC(), HostResolver.SYSTEM, scansOf);
        closing.add(inspector);
        closing.add(scansOf);
        return new ImageResolver(inspector, budget);
    }

    static PodView pod(String image) {
        return PodViews.of("default", "web", new PodSpecBuilder()
                .addToContainers(new ContainerBuilder().withName("app").withImage(image).build()).build());
    }

    record Review(PodView pod, ImageLookup lookup, Findings findings) {
        LayerSecrets secrets() {
            ImageFacts f = lookup.factsFor(pod.containers().get(0));
            assertThat(f).isInstanceOf(ImageFacts.Resolved.class);
            return ((ImageFacts.Resolved) f).platforms().get(0).layerSecrets();
        }
    }

    static Review review(ImageResolver resolver, String image) {
        PodView pod = pod(image);
        try {
            ImageLookup lookup = resolver.resolve(pod).get(60, TimeUnit.SECONDS);
            Findings out = new Findings(LeakedSecret.ID);
            new LeakedSecret().evaluate(pod, lookup, out);
            return new Review(pod, lookup, out);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    String image(String repo, String tag) {
        return proxy.authority() + "/" + repo + ":" + tag;
    }

    static byte[] base() {
        return TestTar.tar().dir("etc").file("etc/os-release", "ID=debian\nVERSION_ID=12\n")
                .file("usr/share/doc/pkg/README", "export GITHUB_TOKEN=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\n").gzip();
    }

    @Test
    void anNpmrcAddedInLayerTwoAndDeletedInLayerThreeIsStillReported() {
        registry.pushImage("lingering", "1.0", TestImages.config().history("/bin/sh -c #(nop) ADD file:0123 in / ")
                .history("COPY .npmrc /root/.npmrc # buildkit")
                .history("RUN /bin/sh -c npm ci && rm /root/.npmrc # buildkit"),
                List.of(TestLayer.gzip(base()),
                        TestLayer.gzip(TestTar.tar().dir("root")
                                .file("root/.npmrc", "//registry.npmjs.org/:_authToken=" + NPM + "\n").gzip()),
                        TestLayer.gzip(TestTar.tar().dir("app").file("app/package-lock.json", "{}")
                                .whiteout("root/.npmrc").gzip())));
        Review r = review(resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(20)), image("lingering", "1.0"));
        assertThat(r.secrets().status()).isEqualTo(LayerSecrets.Status.COMPLETE);
        assertThat(r.secrets().findings()).containsExactly(new LayerSecrets.Finding("root/.npmrc",
                "npm credentials (.npmrc)", 2, "COPY .npmrc /root/.npmrc # buildkit", true));
        assertThat(r.findings().violations()).hasSize(1);
        Violation v = r.findings().violations().get(0);
        assertThat(v.field()).isEqualTo("spec.containers[0].image");
        assertThat(v.message()).contains("carries a secret file in its layers: /root/.npmrc (npm credentials (.npmrc)) "
                + "in layer 2 (COPY .npmrc /root/.npmrc # buildkit), deleted by a later layer")
                .doesNotContain(NPM).doesNotContain("FAKEfake");
    }

    @Test
    void everySecretFileKind() {
        TestTar t = TestTar.tar()
                .file("root/.npmrc", "//registry.npmjs.org/:_authToken=0f3e9a1b2c4d5e6f\n")
                .file("app/.yarnrc.yml", "npmAuthToken: abcdef123456\n")
                .file("root/.pypirc", "[pypi]\nusername = __token__\npassword = pypi-abcdefabcdef\n")
                .file("root/.netrc", "machine github.com login bot password s3cr3t-v4lue\n")
                .file("root/.git-credentials", "https://bot:s3cr3t-v4lue@github.com\n")
                .file("root/.docker/config.json", "{\"auths\": {\"r.example.com\": {\"auth\": \"Ym90OnMzY3IzdA==\"}}}")
                .file("root/.aws/credentials", "[default]\naws_secret_access_key = abcdefabcdefabcdef\n")
                .file("app/.env", "DB_PASSWORD=hunter2hunter2\n")
                .file("root/.ssh/id_rsa", KEY)
                .file("etc/ssl/private/server.pem", KEY)
                .file("app/keystore.p12", new byte[] { 0x30, (byte) 0x82, 0x0a, 0x01, 2, 1, 3, 0x30, 1, 2, 3, 4, 5, 6, 7,
                        8, 9, 10 })
                .file("root/.kube/config",
                        "apiVersion: v1\nusers:\n- name: a\n  user:\n    client-key-data: LS0tLS1CRUdJTg==\n")
                .file("root/.terraformrc", "credentials \"app.terraform.io\" {\n  token = \"abcdef123456\"\n}\n")
                .file("root/.terraform.d/credentials.tfrc.json",
                        "{\"credentials\": {\"app.terraform.io\": {\"token\": \"abcdef123456\"}}}")
                .file("app/config.yaml",
                        "slack: https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/AbCdEfGhIjKlMnOpQrStUvWx\n");
        registry.pushImage("kinds", "1.0", TestImages.config().history("COPY . / # buildkit"),
                List.of(TestLayer.gzip(t.gzip())));
        Review r = review(resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(20)), image("kinds", "1.0"));
        assertThat(r.secrets().findings()).extracting(LayerSecrets.Finding::what).containsExactly(
                "npm credentials (.npmrc)", "npm credentials (.yarnrc.yml)", "PyPI credentials (.pypirc)",
                "netrc credentials (.netrc)", "git credentials (.git-credentials)",
                "registry credentials (.docker/config.json)", "AWS credentials (.aws/credentials)",
                "credentials in a .env file (DB_PASSWORD)", "an SSH private key", "a private key", "a PKCS#12 key store",
                "a kubeconfig with credentials", "Terraform credentials", "Terraform credentials",
                "a Slack webhook URL (hooks.slack.com/…)");
        assertThat(r.findings().violations().get(0).message()).contains("carries secret files in its layers")
                .doesNotContain("hunter2").doesNotContain("s3cr3t").doesNotContain("abcdef123456");
    }

    @Test
    void gzipZstdAndPlainLayers() {
        TestTar npmrc = TestTar.tar().file("a/.npmrc", "//r.example.com/:_authToken=0f3e9a1b2c4d5e6f\n");
        registry.pushImage("formats", "1.0", TestImages.config().history("COPY a # buildkit")
                .history("COPY b # buildkit").history("COPY c # buildkit"),
                List.of(new TestLayer(npmrc.gzip(), TestImages.OCI_LAYER),
                        new TestLayer(TestTar.tar().file("b/.env", "API_TOKEN=abcdef123456\n").zstd(),
                                TestImages.OCI_LAYER_ZSTD),
                        new TestLayer(TestTar.tar().file("c/id_ed25519", KEY).bytes(), TestImages.OCI_LAYER_TAR)));
        Review r = review(resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(20)), image("formats", "1.0"));
        assertThat(r.secrets().findings()).extracting(f -> f.layer() + " " + f.path()).containsExactly("1 a/.npmrc",
                "2 b/.env", "3 c/id_ed25519");
    }

    @Test
    void aLayerSharedByTwoImagesIsReadAndScannedOnce() {
        byte[] shared = TestTar.tar().file("opt/base/.npmrc", "//r.example.com/:_authToken=0f3e9a1b2c4d5e6f\n").gzip();
        String digest = Digests.sha256(shared);
        registry.pushImage("shared-a", "1.0", TestImages.config().history("ADD base # buildkit").history("COPY a"),
                List.of(TestLayer.gzip(shared), TestLayer.gzip(TestTar.tar().file("a/x", "a").gzip())));
        registry.pushImage("shared-b", "1.0", TestImages.config().history("ADD base # buildkit").history("COPY b"),
                List.of(TestLayer.gzip(shared), TestLayer.gzip(TestTar.tar().file("b/x", "b").gzip())));
        ImageResolver resolver = resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(20));
        Review a = review(resolver, image("shared-a", "1.0"));
        Review b = review(resolver, image("shared-b", "1.0"));
        assertThat(a.secrets().findings()).extracting(LayerSecrets.Finding::path).containsExactly("opt/base/.npmrc");
        assertThat(b.secrets().findings()).extracting(LayerSecrets.Finding::path).containsExactly("opt/base/.npmrc");
        assertThat(proxy.blobGets(digest)).as("GETs of the shared layer through the proxy").isEqualTo(1);
        assertThat(scans).hasSize(3);
    }

    @Test
    void notSecrets() {
        registry.pushImage("clean", "1.0", TestImages.config().history("COPY . / # buildkit"),
                List.of(TestLayer.gzip(TestTar.tar()
                        .file("root/.npmrc", "registry=https://registry.npmjs.org/\n@acme:registry=https://npm.acme.example/\n")
                        .file("app/.env.example", "DB_PASSWORD=changeme\nAPI_TOKEN=<your-token>\n")
                        .file("root/.ssh/id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6 bot@ci\n")
                        .file("app/keys/public.pem",
                                "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0B\n-----END PUBLIC KEY-----\n")
                        .gzip())));
        Review r = review(resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(20)), image("clean", "1.0"));
        assertThat(r.secrets().status()).isEqualTo(LayerSecrets.Status.COMPLETE);
        assertThat(r.secrets().findings()).isEmpty();
        assertThat(r.findings().violations()).isEmpty();
        assertThat(r.findings().unverified()).isEmpty();
    }

    @Test
    void aCleanImageIsJoinedWithItsLayerVerdictsOnceWarmAndAnImageWithFindingsOnEveryReview() {
        registry.pushImage("joined-clean", "1.0", TestImages.config().history("COPY . / # buildkit"),
                List.of(TestLayer.gzip(TestTar.tar().file("app/server", "binary").gzip())));
        registry.pushImage("joined-found", "1.0", TestImages.config().history("COPY . / # buildkit"),
                List.of(TestLayer.gzip(TestTar.tar().file("root/.npmrc", "//r.example.com/:_authToken=0f3e9a1b2c4d\n")
                        .gzip())));
        ImageResolver resolver = resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(20));
        review(resolver, image("joined-clean", "1.0"));
        Review clean = review(resolver, image("joined-clean", "1.0"));
        Review cleanAgain = review(resolver, image("joined-clean", "1.0"));
        Review found = review(resolver, image("joined-found", "1.0"));
        Review foundAgain = review(resolver, image("joined-found", "1.0"));

        ContainerView c = clean.pod().containers().get(0);
        assertThat(cleanAgain.lookup().factsFor(c)).as("the clean join, kept").isSameAs(clean.lookup().factsFor(c))
                .isEqualTo(clean.lookup().factsFor(c));
        assertThat(cleanAgain.secrets().status()).isEqualTo(LayerSecrets.Status.COMPLETE);
        ContainerView f = found.pod().containers().get(0);
        assertThat(foundAgain.lookup().factsFor(f)).as("findings are joined again")
                .isNotSameAs(found.lookup().factsFor(f)).isEqualTo(found.lookup().factsFor(f));
        assertThat(foundAgain.findings().violations()).isEqualTo(found.findings().violations()).hasSize(1);
        assertThat(verdictLookups).as("layer verdict look-ups, counted alike whether kept or joined")
                .containsExactly("miss", "hit", "hit", "miss", "hit");
    }

    @Test
    void aRedirectToBlobStorageIsFollowedAndADigestMismatchIsNotBelieved() {
        byte[] layer = TestTar.tar().file("srv/.git-credentials", "https://bot:s3cr3t-v4lue@git.example.com\n").gzip();
        TestRegistry.Pushed p = registry.pushImage("redirected", "1.0", TestImages.config().history("COPY . /"),
                List.of(TestLayer.gzip(layer)));
        String digest = Digests.sha256(layer);
        try (RegistryProxy storage = new RegistryProxy(null)) {
            storage.answer("/bucket/blob", RegistryProxy.bytes(200, "application/octet-stream", layer));
            proxy.answer("/v2/redirected/blobs/" + digest,
                    RegistryProxy.redirect("http://" + storage.authority() + "/bucket/blob?X-Amz-Signature=abc"));
            Review r = review(resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(20), storage.authority()),
                    image("redirected", "1.0"));
            assertThat(r.secrets().findings()).extracting(LayerSecrets.Finding::path)
                    .containsExactly("srv/.git-credentials");
            assertThat(storage.seen()).extracting(RegistryProxy.Seen::authorization).containsOnly(false);

            proxy.answer("/v2/redirected/blobs/" + digest, RegistryProxy.bytes(200, "application/octet-stream",
                    TestTar.tar().file("srv/other", "x").gzip()));
            ImageResolver again = resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(20), storage.authority());
            Review wrong = review(again, image("redirected", "1.0"));
            assertThat(wrong.secrets().status()).isEqualTo(LayerSecrets.Status.UNFINISHED);
            assertThat(wrong.secrets().reason()).contains("digest mismatch");
            assertThat(wrong.findings().unverified()).singleElement()
                    .satisfies(u -> assertThat(u.reason()).contains("digest mismatch"));
            // not scanned again until the retry: the remembered failure answers with the same reason
            Review remembered = review(again, image("redirected", "1.0"));
            assertThat(remembered.secrets()).isEqualTo(wrong.secrets());
        }
        assertThat(p.digest()).startsWith("sha256:");
    }

    /** 200 MB of tar with the .npmrc at its very end, served at 25 MB/s: a scan takes at least 8 seconds. */
    String bigImage() {
        byte[] pattern = new byte[1 << 20];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 31 + (i >> 9));
        }
        byte[] layer = TestTar.tar().bigFile("data/model.bin", 200L * 1024 * 1024, pattern)
                .file("root/.npmrc", "//registry.npmjs.org/:_authToken=" + NPM + "\n").bytes();
        registry.pushImage("big", "1.0", TestImages.config().history("COPY . / # buildkit"),
                List.of(new TestLayer(layer, TestImages.OCI_LAYER_TAR)));
        proxy.throttleBlobs(25L * 1024 * 1024);
        return Digests.sha256(layer);
    }

    @Test
    void aBigLayerInBackgroundModeDoesNotHoldTheReviewAndIsReportedOnceScanned() throws InterruptedException {
        String digest = bigImage();
        ImageResolver resolver = resolver(LayerScans.Mode.BACKGROUND, Duration.ofSeconds(3));
        Review first = review(resolver, image("big", "1.0"));
        assertThat(first.secrets().status()).isEqualTo(LayerSecrets.Status.PARTIAL);
        assertThat(first.findings().violations()).isEmpty();
        assertThat(first.findings().unverified()).isEmpty();
        assertThat(proxy.blobGetsFinished(digest)).as("the review was answered before the layer was read").isZero();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        Review later;
        do {
            Thread.sleep(500);
            later = review(resolver, image("big", "1.0"));
        } while (later.secrets().status() != LayerSecrets.Status.COMPLETE && System.nanoTime() < deadline);
        assertThat(later.secrets().status()).isEqualTo(LayerSecrets.Status.COMPLETE);
        assertThat(later.findings().violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("/root/.npmrc (npm credentials (.npmrc)) in layer 1"));
        assertThat(proxy.blobGets(digest)).as("one scan, whatever the number of reviews").isEqualTo(1);
        LOG.infof("[figure] 200 MiB layer scanned in the background through a 25 MB/s proxy; %d reviews answered meanwhile",
                proxy.count(s -> s.path().contains("/manifests/")));
    }

    @Test
    void aBigLayerInAdmissionModeIsUnverifiedPastTheBudget() {
        bigImage();
        Review r = review(resolver(LayerScans.Mode.ADMISSION, Duration.ofSeconds(1)), image("big", "1.0"));
        assertThat(r.secrets().status()).isEqualTo(LayerSecrets.Status.UNFINISHED);
        assertThat(r.findings().unverified()).singleElement().satisfies(u -> {
            assertThat(u.rule()).isEqualTo(LeakedSecret.ID);
            assertThat(u.reason()).contains("the scan of layer 1").contains("did not finish within the budget");
        });
        assertThat(r.findings().violations()).isEmpty();
        ContainerView c = r.pod().containers().get(0);
        assertThat(r.lookup().factsFor(c)).isInstanceOf(ImageFacts.Resolved.class);
    }
}
