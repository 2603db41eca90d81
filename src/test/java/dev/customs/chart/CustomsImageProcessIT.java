package dev.customs.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import dev.customs.image.ImageRequest;
import dev.customs.image.ImageResolver;
import dev.customs.image.PlatformSelector;
import dev.customs.image.registry.RegistryImageInspector;
import dev.customs.image.registry.TestCerts;
import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;
import dev.customs.image.registry.TestRegistryConfig;
import dev.customs.policy.Decision;
import dev.customs.policy.Policy;
import dev.customs.policy.Requester;
import dev.customs.report.Recorder;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.ImageReference;
import dev.customs.rules.PlatformImage;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.Vertx;

/**
 * Customs' own image passes Customs' own inspection. The image is built the way a release builds it (jib, from
 * application.properties) by a nested Maven build, pushed to a local registry that also holds the base image the test
 * provides, read back with the production registry inspector, and the chart's Deployment of that image is evaluated
 * by every rule.
 *
 * <p>
 * The nested build runs what the release build, {@code verify -Pimage}, runs after the fast-jar: the profile's two
 * executions, {@code exec:exec@image-runtime} (links the image's Java runtime from the JDK 25 of
 * {@code customs.image.jdk} and trains its AOT cache on the fast-jar) and {@code quarkus:image-build@image} (jib). It
 * runs them on a copy of this build's own package (failsafe runs this after {@code package}), so the application is
 * compiled and augmented once, not twice more; the training answers fewer reviews than a release's (it only has to make
 * a cache the JVM accepts), and the linked runtime comes from the build's runtime cache when this JDK linked it before.
 * The test then unpacks the image's layers into a directory and runs the image's entrypoint there with
 * {@code -XX:AOTMode=on}, which refuses to start if the shipped JVM cannot use the shipped cache, and sends it a review.
 * Without a JDK 25 at {@code customs.image.jdk} the test says so and is skipped ({@code .ci/run} makes sure CI has one).
 *
 * <p>
 * The copy and the logs live in {@code target/customs-image-it} (the logs stay for a look after a failure; the copy,
 * the unpacked image and jib's layer caches are removed: every layer changes with every build, the cache in the same
 * layer as the runtime). It uses the Maven that runs this build ({@code maven.home}) and its local repository, online:
 * on a fresh local repository the profile's plugins are not resolved yet, and Maven downloads only what is missing.
 */
class CustomsImageProcessIT {

    /** Enough for every kind of training review, on new and on cached images (see ImageRuntime.Reviews). */
    private static final int TRAINING_REVIEWS = 40;

    private static final Logger LOG = Logger.getLogger(CustomsImageProcessIT.class);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final String IMAGE_JAVA = "/opt/customs/java/bin/java";
    private static final String IMAGE_CACHE = "/opt/customs/customs.aot";
    private static final String IMAGE_APP = "/opt/customs/app";
    private static final String BASE_REPOSITORY = "base";
    private static final String OCI_PREFIX = "org.opencontainers.image.";
    private static final List<String> OCI_LABELS = List.of("title", "description", "source", "version", "revision",
            "vendor", "licenses", "created");

    private TestRegistry registry;
    private Vertx vertx;
    private RegistryImageInspector inspector;
    private Path work;

    @AfterEach
    void tearDown() throws IOException {
        if (inspector != null) {
            inspector.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        if (registry != null) {
            registry.close();
        }
        if (work != null) {
            // the logs stay for a look after a failure
            deleteTree(work.resolve("project"));
            deleteTree(work.resolve("rootfs"));
            deleteTree(work.resolve("jib-cache"));
        }
    }

    @Test
    void releaseBaseImageIsPinnedByDigest() throws IOException {
        assertThat(applicationProperties().getProperty("quarkus.jib.base-jvm-image"))
                .matches("[^@\\s]+@sha256:[0-9a-f]{64}");
    }

    @Test
    void customsPassesItsOwnInspection() throws Exception {
        Path jdk = imageJdk();
        startRegistry();
        BaseImage base = pushBaseImage();
        String revision = HexFormat.of().formatHex(random(20));
        String version = projectVersion();

        Path project = copyProject();
        buildAndPushImage(project, base, revision, jdk);

        String repository = registry.authority() + "/test/customs";
        ImageFacts.Resolved facts = inspect(repository + ":" + version);
        assertThat(facts.digest()).as("the digest jib reports for the image it pushed")
                .isEqualTo(Files.readString(project.resolve("target/jib-image.digest")).strip());
        assertThat(facts.platforms()).hasSize(1);
        PlatformImage image = facts.platforms().get(0);
        ImageConfig config = image.config();
        ImageConfig expected = ChartTest.JibImage.config();

        assertThat(config.platform().toString()).isEqualTo("linux/amd64");
        assertThat(config.user()).as("numeric, non-root").matches("[1-9][0-9]*").isEqualTo("185")
                .isEqualTo(expected.user());
        assertThat(config.entrypoint()).as("exec form: the image's own java is PID 1").first().isEqualTo(IMAGE_JAVA);
        assertThat(config.entrypoint()).isEqualTo(expected.entrypoint())
                .as("the cache, used when it can be (no -XX:AOTMode: auto)").contains("-XX:AOTCache=" + IMAGE_CACHE)
                .noneMatch(a -> a.startsWith("-XX:AOTMode"))
                .as("the memory flags").contains("-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC")
                .endsWith("-jar", IMAGE_APP + "/customs-classpath.jar");
        assertThat(config.env()).contains("JAVA_HOME=/opt/customs/java");
        assertThat(config.cmd()).isEmpty();
        for (String label : OCI_LABELS) {
            assertThat(config.labels().get(OCI_PREFIX + label)).as(OCI_PREFIX + label).isNotBlank()
                    .isNotEqualTo("unknown");
        }
        assertThat(config.labels()).containsEntry(OCI_PREFIX + "revision", revision)
                .containsEntry(OCI_PREFIX + "version", version);
        assertThat(Instant.parse(config.labels().get(OCI_PREFIX + "created"))).as("created, the build time")
                .isBetween(Instant.now().minus(Duration.ofHours(1)), Instant.now());
        expected.labels().forEach((key, value) -> {
            if (!key.equals(OCI_PREFIX + "revision") && !key.equals(OCI_PREFIX + "created")) {
                assertThat(config.labels()).as("the labels ChartTest assumes jib writes").containsEntry(key, value);
            }
        });

        // built FROM the base image given by digest: its layer and its history come first
        JsonNode manifest = fetchJson("/v2/test/customs/manifests/" + facts.digest());
        JsonNode rawConfig = fetchJson("/v2/test/customs/blobs/" + manifest.at("/config/digest").asText());
        assertThat(manifest.at("/layers/0/digest").asText()).as("the base image's layer").isEqualTo(base.layerDigest());
        assertThat(manifest.get("layers").size()).as("Customs' layers on top of the base").isGreaterThan(1);
        assertThat(rawConfig.at("/rootfs/diff_ids/0").asText()).isEqualTo(base.diffId());
        assertThat(config.history().get(0).createdBy()).isEqualTo(base.createdBy());
        assertThat(rawConfig.at("/config/WorkingDir").asText()).isEqualTo(IMAGE_APP);

        // the image's JVM, its AOT cache and the fast-jar, as the layers lay them out, run with the cache required
        Path rootfs = unpack(manifest);
        assertThat(rootfs.resolve(IMAGE_JAVA.substring(1))).as("the image's java").isExecutable();
        assertThat(rootfs.resolve(IMAGE_CACHE.substring(1))).as("the AOT cache").isNotEmptyFile();
        assertThat(rootfs.resolve("usr/bin/java")).as("no other Java").doesNotExist();
        ImageJvm run = runImageJvm(rootfs, config.entrypoint());
        // on the class path (customs-classpath.jar) the cache holds nearly all of them, lambdas included: 97% here
        assertThat(run.cached()).as("classes the image's JVM took from the cache, of %d loaded (log: %s)", run.loaded(),
                run.log()).isGreaterThan(run.loaded() * 9 / 10);
        // the apiserver's protocol: without HTTP/2 in the training run, its first review loaded ~150 classes from jars
        assertThat(run.http2FromJars()).as("HTTP/2 server classes the image's JVM loaded outside its AOT cache (%s)",
                run.log()).isEmpty();

        // the chart's Deployment of this image, by tag and digest, through the admission flow
        Chart.Rendered rendered = Chart.render(null,
                Map.of("image.repository", repository, "image.tag", version, "image.digest", facts.digest()));
        Deployment d = rendered.one(Deployment.class);
        String containerImage = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        assertThat(containerImage).isEqualTo(repository + ":" + version + "@" + facts.digest());
        PodView view = new PodViewMapper(JSON).toView(WorkloadKind.DEPLOYMENT, JSON.readTree(Chart.json(d)),
                Chart.NAMESPACE, d.getMetadata().getName());
        Policy policy = Policy.enforceAll();
        RuleEngine engine = new RuleEngine(RuleRegistry.defaults());
        var active = policy.active(Chart.NAMESPACE);
        assertThat(engine.needsImages(active)).isTrue();
        ImageLookup images = new ImageResolver(inspector, Duration.ofSeconds(10)).resolve(view).get(30,
                TimeUnit.SECONDS);
        assertThat(view.containers()).allSatisfy(c -> assertThat(images.factsFor(c)).as(c.name())
                .isInstanceOf(ImageFacts.Resolved.class));
        Evaluation evaluation = engine.evaluate(view, images, active);
        assertThat(evaluation.violations()).as("violations of Customs' own Deployment").isEmpty();
        assertThat(evaluation.unverified()).as("images Customs could not verify").isEmpty();
        Decision decision = policy.decide(evaluation, Requester.namespace(Chart.NAMESPACE));
        assertThat(decision.findings()).isEmpty();
        assertThat(decision.allowed()).isTrue();
    }

    // ---- the registry and the base image ----

    private void startRegistry() throws IOException {
        registry = TestRegistry.start(TestRegistry.Auth.NONE);
        vertx = Vertx.vertx();
        TestRegistryConfig config = new TestRegistryConfig();
        // listing the loopback registry insecure is also what exempts it from the blocked networks
        config.insecureRegistries.add(registry.authority());
        config.budget = Duration.ofSeconds(10);
        config.requestTimeout = Duration.ofSeconds(10);
        inspector = RegistryImageInspector.create(config, vertx, JSON, () -> {
            throw new IllegalStateException("no Kubernetes in this test");
        }, Recorder.NONE);
        work = Files.createDirectories(Path.of("target", "customs-image-it").toAbsolutePath());
        for (String left : List.of("project", "rootfs", "jib-cache", "tmp")) {
            deleteTree(work.resolve(left));
        }
    }

    /** The base image the test provides: one empty layer, root user, no Java (jib runs nothing in it). */
    private record BaseImage(String reference, String layerDigest, String diffId, String createdBy) {
    }

    private BaseImage pushBaseImage() throws IOException {
        byte[] tar = new byte[1024]; // an empty tar archive: two zero blocks
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        byte[] layer = gz.toByteArray();
        String diffId = sha256(tar);
        String createdBy = "customs-image-it base " + HexFormat.of().formatHex(random(8));

        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        cfg.putObject("config").put("User", "").putArray("Env")
                .add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        cfg.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(diffId);
        cfg.putArray("history").addObject().put("created_by", createdBy);
        byte[] config = JSON.writeValueAsBytes(cfg);

        String configDigest = registry.pushBlob(BASE_REPOSITORY, config);
        String layerDigest = registry.pushBlob(BASE_REPOSITORY, layer);
        String digest = registry.pushManifest(BASE_REPOSITORY, null, TestImages.OCI_MANIFEST,
                TestImages.manifest(true, configDigest, config.length, layerDigest, layer.length, Map.of()));
        return new BaseImage(registry.authority() + "/" + BASE_REPOSITORY + "@" + digest, layerDigest, diffId,
                createdBy);
    }

    // ---- the nested build ----

    /** The pom, {@code src/main} and this build's package: compiled classes, the jar and the fast-jar. */
    private Path copyProject() throws IOException {
        Path target = Path.of("target");
        Assumptions.assumeTrue(Files.isRegularFile(target.resolve("quarkus-app/quarkus-run.jar")),
                "CustomsImageProcessIT needs the packaged application (run it with verify, after package)");
        Path project = work.resolve("project");
        Files.createDirectories(project);
        Files.copy(Path.of("pom.xml"), project.resolve("pom.xml"));
        copyTree(Path.of(".mvn"), project.resolve(".mvn"));
        copyTree(Path.of("src", "main"), project.resolve("src").resolve("main"));
        // what an earlier -Pimage build of this worktree generated; the nested build makes its own
        deleteTree(project.resolve("src/main/jib/opt/customs"));
        copyTree(target.resolve("classes"), project.resolve("target/classes"));
        copyTree(target.resolve("quarkus-app"), project.resolve("target/quarkus-app"));
        try (Stream<Path> jars = Files.list(target)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).toList()) {
                Files.copy(jar, project.resolve("target").resolve(jar.getFileName()));
            }
        }
        return project;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private void buildAndPushImage(Path project, BaseImage base, String revision, Path jdk) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(maven());
        cmd.add("-B");
        cmd.add("--no-transfer-progress");
        String repo = System.getProperty("build.maven.repo.local", "");
        if (!repo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        // the "image" profile's executions, in the order verify -Pimage runs them after package
        cmd.addAll(List.of("-Pimage", "exec:exec@image-runtime", "quarkus:image-build@image",
                "-Dcustoms.image.training-reviews=" + TRAINING_REVIEWS,
                "-Dcustoms.image.jdk=" + jdk, "-Dcustoms.image.push=true",
                "-Dquarkus.container-image.registry=" + registry.authority(),
                "-Dquarkus.container-image.group=test",
                // plain HTTP for the push and for pulling the base image
                "-Dquarkus.container-image.insecure=true",
                "-Dquarkus.jib.base-jvm-image=" + base.reference(),
                "-Dquarkus.jib.base-image-layers-cache=" + work.resolve("jib-cache/base"),
                "-Dquarkus.jib.application-layers-cache=" + work.resolve("jib-cache/application"),
                "-Dcustoms.image.revision=" + revision));
        Path log = work.resolve("build.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long start = System.nanoTime();
        Process p = pb.start();
        boolean finished;
        try {
            finished = p.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        LOG.infof("CustomsImageProcessIT: nested image build took %d s", seconds);
        try (Stream<String> lines = Files.lines(log)) {
            lines.filter(l -> l.startsWith("image runtime: opt/")).forEach(l -> LOG.infof("CustomsImageProcessIT: %s", l));
        }
        assertThat(finished).as("the nested build finished within %s; its log ends with:%n%s", BUILD_TIMEOUT,
                tail(log)).isTrue();
        assertThat(p.exitValue()).as("exit status of %s; its log ends with:%n%s", String.join(" ", cmd), tail(log))
                .isZero();
    }

    /** The Maven running this build (surefire passes {@code maven.home}), else {@code mvn} on the PATH. */
    private static String maven() {
        String home = System.getProperty("maven.home", "");
        if (!home.isBlank() && !home.contains("${")) {
            Path mvn = Path.of(home, "bin", "mvn");
            if (Files.isExecutable(mvn)) {
                return mvn.toString();
            }
        }
        return "mvn";
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    // ---- reading it back ----

    private ImageFacts.Resolved inspect(String image) throws Exception {
        ImageFacts f = inspector.inspect(ImageReference.parse(image),
                new ImageRequest(PlatformSelector.ANY_LINUX, Chart.NAMESPACE, List.of(), null)).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(f).as("facts of %s", image).isInstanceOf(ImageFacts.Resolved.class);
        return (ImageFacts.Resolved) f;
    }

    private JsonNode fetchJson(String path) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(registry.base() + path))
                .header("Accept", TestImages.DOCKER_MANIFEST + "," + TestImages.OCI_MANIFEST)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    // ---- the image's JVM, from the image's layers ----

    /** The JDK the image's runtime is linked from: {@code customs.image.jdk} (the pom's), which must be a JDK 25+. */
    private static Path imageJdk() throws IOException {
        String configured = System.getProperty("build.image.jdk", "");
        Path jdk = Path.of(configured.isBlank() || configured.contains("${") ? "/usr/lib/jvm/temurin-25-jdk-amd64"
                : configured);
        Path release = jdk.resolve("release");
        String version = "";
        if (Files.isRegularFile(release)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(release)) {
                p.load(in);
            }
            version = p.getProperty("JAVA_VERSION", "").replace("\"", "");
        }
        if (!Files.isExecutable(jdk.resolve("bin/jlink")) || version.isEmpty()
                || Runtime.Version.parse(version).feature() < 25) {
            String why = "CustomsImageProcessIT skipped: the image's runtime and AOT cache need a JDK 25 or later at "
                    + "customs.image.jdk=" + jdk + " (found " + (version.isEmpty() ? "none" : "Java " + version) + ")";
            LOG.warn(why);
            Assumptions.abort(why);
        }
        return jdk;
    }

    /** Every layer of the image, in order, extracted into one directory as a container runtime would. */
    private Path unpack(JsonNode manifest) throws IOException, InterruptedException {
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (JsonNode layer : manifest.get("layers")) {
            String digest = layer.get("digest").asText();
            Path blob = work.resolve("layer.tar.gz");
            HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(registry.base()
                    + "/v2/test/customs/blobs/" + digest)).timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofFile(blob));
            assertThat(r.statusCode()).as("GET layer %s", digest).isEqualTo(200);
            assertThat(sha256(Files.readAllBytes(blob))).as("the layer's digest").isEqualTo(digest);
            Process tar = new ProcessBuilder("tar", "-xzf", blob.toString(), "-C", rootfs.toString())
                    .redirectErrorStream(true).start();
            String out = new String(tar.getInputStream().readAllBytes());
            assertThat(tar.waitFor()).as("tar -xzf of layer %s: %s", digest, out).isZero();
            Files.delete(blob);
        }
        return rootfs;
    }

    /**
     * What a start of the image's JVM showed: classes loaded, those from the AOT cache, the HTTP/2 server's classes it
     * loaded from jars instead, and its log.
     */
    private record ImageJvm(int loaded, int cached, List<String> http2FromJars, Path log) {
    }

    /**
     * Runs the image's entrypoint with every path under {@code rootfs}, the cache required ({@code -XX:AOTMode=on}: the
     * JVM refuses to start if it cannot use it), serving HTTPS as the chart configures it, until Customs answers a
     * review sent as the apiserver sends it (HTTP/2 over TLS); then stops it with SIGTERM.
     */
    private ImageJvm runImageJvm(Path rootfs, List<String> entrypoint) throws Exception {
        Path log = work.resolve("image-jvm.log");
        Path classes = work.resolve("image-jvm-classes.log");
        Path tls = work.resolve("tls");
        X509Certificate ca = TestCerts.writeServerFiles(tls);
        int https = freePort();
        int management = freePort();
        List<String> cmd = new ArrayList<>();
        for (String arg : entrypoint) {
            String value = arg;
            for (String path : List.of(IMAGE_JAVA, IMAGE_CACHE, IMAGE_APP)) {
                if (value.contains(path)) {
                    value = value.replace(path, rootfs + path);
                }
            }
            if (value.equals("-jar")) {
                cmd.addAll(List.of("-XX:AOTMode=on", "-XX:MaxRAM=512m", "-Xlog:class+load=info:file=" + classes,
                        "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
                        "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.ssl-port=" + https,
                        "-Dquarkus.http.insecure-requests=disabled", "-Dquarkus.http.tls-configuration-name=webhook",
                        "-Dquarkus.tls.webhook.key-store.pem.0.cert=" + tls.resolve("tls.crt"),
                        "-Dquarkus.tls.webhook.key-store.pem.0.key=" + tls.resolve("tls.key"),
                        "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + management,
                        "-Dquarkus.shutdown.delay=0s"));
            }
            cmd.add(value);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(rootfs.resolve(IMAGE_APP.substring(1)).toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        for (String v : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "KUBERNETES_SERVICE_HOST",
                "KUBECONFIG", "QUARKUS_CONFIG_LOCATIONS")) {
            pb.environment().remove(v);
        }
        Process p = pb.start();
        List<String> loaded;
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TestCerts.trusting(ca))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            byte[] review = Files.readAllBytes(Path.of("examples/denied-pod.json"));
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            HttpResponse<String> answer = null;
            while (answer == null) {
                assertThat(p.isAlive()).as("the image's JVM is running (-XX:AOTMode=on exits when the cache does not "
                        + "fit); its log:%n%s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("answered within %s; log:%n%s", START_TIMEOUT, Files.readString(log))
                        .isLessThan(deadline);
                try {
                    answer = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https + "/validate"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(review)).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (ConnectException notYetListening) {
                    Thread.sleep(100);
                }
            }
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.version()).as("the protocol the answer came over").isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(JSON.readTree(answer.body()).at("/response/allowed").asBoolean(true)).as(answer.body())
                    .isFalse();
            // what the start and the review loaded, before the shutdown loads its own
            loaded = Files.readAllLines(classes);
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        int cached = (int) loaded.stream().filter(l -> l.contains("source: shared objects file")).count();
        // "[2.237s][info][class,load] io.netty.handler.codec.http2.Http2Settings source: file:/..."
        List<String> http2FromJars = loaded.stream().filter(l -> !l.contains("source: shared objects file"))
                .filter(l -> HTTP2_SERVER.matcher(l.replaceFirst("^\\S+\\s+", "").split(" ", 2)[0]).find())
                .toList();
        LOG.infof("CustomsImageProcessIT: the image's JVM loaded %d classes, %d of them from its AOT cache; %d of the "
                + "HTTP/2 server's from jars", loaded.size(), cached, http2FromJars.size());
        return new ImageJvm(loaded.size(), cached, http2FromJars, log);
    }

    /**
     * Classes that serve HTTP/2 over TLS: Netty's and Vert.x's HTTP/2 codecs, and the ALPN that picks it. Netty's
     * engines for Conscrypt's and Jetty's ALPN are left out: Netty loads them at start to probe for those libraries,
     * which the image does not have, so they cannot link and no cache can hold them.
     */
    private static final Pattern HTTP2_SERVER = Pattern.compile("(?i)^(?!.*(conscrypt|jettyalpn)).*"
            + "(http2|alpn|applicationprotocol)");

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ---- helpers ----

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p;
    }

    /** The project's version: the image's tag and its version label. */
    private static String projectVersion() throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        var doc = factory.newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        var children = doc.getDocumentElement().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if ("version".equals(children.item(i).getNodeName())) {
                return children.item(i).getTextContent().strip();
            }
        }
        throw new AssertionError("pom.xml has no project version");
    }

    private static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
