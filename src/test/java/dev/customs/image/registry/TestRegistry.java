package dev.customs.image.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real OCI registry for tests: Debian's {@code docker-registry} (CNCF distribution 2.x) started on 127.0.0.1 with a
 * generated configuration, plain, with htpasswd basic auth, or with bearer tokens from a {@link TokenServer}, optionally
 * over TLS with a generated CA. Images are pushed through the distribution API (blob upload POST + PUT, manifest PUT)
 * with exactly the content a test needs. Fails with a clear message when the binary is not installed: these tests are
 * never skipped.
 */
public final class TestRegistry implements AutoCloseable {

    public enum Auth {
        NONE,
        HTPASSWD,
        TOKEN
    }

    public static final String USER = "customs-puller";
    public static final String PASSWORD = "pull-pass-7f3a";

    private final Auth auth;
    private final boolean tls;
    private final Path dir;
    private final int port;
    private final Process process;
    private final TokenServer tokens;
    private final TestCerts.Issued ca;
    private final HttpClient http;

    private TestRegistry(Auth auth, boolean tls, Path parent) throws IOException, InterruptedException {
        this.auth = auth;
        this.tls = tls;
        this.dir = parent == null ? Files.createTempDirectory("customs-test-registry")
                : Files.createTempDirectory(Files.createDirectories(parent), "customs-test-registry");
        this.port = freePort();
        this.tokens = auth == Auth.TOKEN ? new TokenServer(USER, PASSWORD) : null;
        StringBuilder yaml = new StringBuilder();
        yaml.append("version: 0.1\n");
        yaml.append("log:\n  level: error\n  accesslog:\n    disabled: true\n");
        yaml.append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n');
        yaml.append("  delete:\n    enabled: true\n");
        yaml.append("  maintenance:\n    uploadpurging:\n      enabled: false\n");
        yaml.append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        yaml.append("  secret: ").append(Base64.getEncoder().encodeToString(random(24))).append('\n');
        if (tls) {
            this.ca = TestCerts.selfSigned("customs-test-ca");
            TestCerts.Issued server = TestCerts.server(ca, "127.0.0.1", List.of("127.0.0.1"));
            Files.writeString(dir.resolve("tls.crt"), server.certificatePem());
            Files.writeString(dir.resolve("tls.key"), server.privateKeyPem());
            Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
            yaml.append("  tls:\n    certificate: ").append(dir.resolve("tls.crt")).append("\n    key: ")
                    .append(dir.resolve("tls.key")).append('\n');
        } else {
            this.ca = null;
        }
        if (auth == Auth.HTPASSWD) {
            String hash = OpenBSDBCrypt.generate(PASSWORD.toCharArray(), random(16), 4);
            Files.writeString(dir.resolve("htpasswd"), USER + ":" + hash + "\n");
            yaml.append("auth:\n  htpasswd:\n    realm: customs-test\n    path: ").append(dir.resolve("htpasswd"))
                    .append('\n');
        } else if (auth == Auth.TOKEN) {
            Files.writeString(dir.resolve("token.crt"), tokens.certificatePem());
            yaml.append("auth:\n  token:\n    realm: ").append(tokens.realm()).append("\n    service: ")
                    .append(TokenServer.SERVICE).append("\n    issuer: ").append(TokenServer.ISSUER)
                    .append("\n    rootcertbundle: ").append(dir.resolve("token.crt")).append('\n');
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, yaml);
        this.process = new ProcessBuilder(binary().toString(), "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(sslContext())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        awaitReady();
    }

    public static TestRegistry start(Auth auth) {
        return start(auth, false);
    }

    public static TestRegistry start(Auth auth, boolean tls) {
        return start(auth, tls, null);
    }

    /** Keeps the registry's storage, configuration and log under {@code parent} instead of the system temp directory. */
    public static TestRegistry start(Auth auth, boolean tls, Path parent) {
        try {
            return new TestRegistry(auth, tls, parent);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start docker-registry: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The registry binary: $CUSTOMS_DOCKER_REGISTRY, /usr/bin/docker-registry, or docker-registry on the PATH. */
    static Path binary() {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("CUSTOMS_DOCKER_REGISTRY")).map(Path::of).ifPresent(candidates::add);
        candidates.add(Path.of("/usr/bin/docker-registry"));
        for (String d : Optional.ofNullable(System.getenv("PATH")).orElse("").split(":")) {
            if (!d.isEmpty()) {
                candidates.add(Path.of(d, "docker-registry"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("docker-registry (CNCF distribution 2.x) is not installed: "
                        + "the registry tests need it. Install it with 'apt-get install -y docker-registry', or set "
                        + "CUSTOMS_DOCKER_REGISTRY to the registry binary."));
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base().resolve("/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry did not become ready on " + authority() + " ("
                + (last == null ? "" : last.getMessage()) + "):\n" + log());
    }

    String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** {@code 127.0.0.1:<port>}: the host part of image references. */
    public String authority() {
        return "127.0.0.1:" + port;
    }

    public URI base() {
        return URI.create((tls ? "https" : "http") + "://" + authority());
    }

    public Auth auth() {
        return auth;
    }

    /** The registry process, for callers that must be able to clean it up from outside. */
    public long pid() {
        return process.pid();
    }

    public TokenServer tokens() {
        return tokens;
    }

    /** The CA certificate file of a TLS registry. */
    Path caFile() {
        return dir.resolve("ca.crt");
    }

    /** A docker config.json with this registry's credentials (or the given ones) for {@code host}. */
    public static String dockerConfigJson(String host, String user, String password) {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}";
    }

    // ---- pushing ----

    /** One pushed image manifest. */
    public record Pushed(String digest, long size, String mediaType, String configDigest, String os,
            String architecture, String variant) {
        public TestImages.IndexEntry entry() {
            return new TestImages.IndexEntry(mediaType, digest, size, os, architecture, variant);
        }
    }

    /** Pushes a config, one layer and a manifest (tagged {@code tag}, or by digest only when null). */
    public Pushed pushImage(String repo, String tag, TestImages.Config config, boolean oci,
            Map<String, String> annotations) {
        byte[] cfg = config.json();
        String cfgDigest = pushBlob(repo, cfg);
        // a real layer (a gzipped tar), distinct per repository and architecture, so layer scans have one to read
        byte[] layer = dev.customs.image.layers.TestTar.tar()
                .file("etc/image-" + repo.replace('/', '-') + "-" + config.architecture, "layer of " + repo).gzip();
        String layerDigest = pushBlob(repo, layer);
        byte[] manifest = TestImages.manifest(oci, cfgDigest, cfg.length, layerDigest, layer.length, annotations);
        String mediaType = oci ? TestImages.OCI_MANIFEST : TestImages.DOCKER_MANIFEST;
        String digest = pushManifest(repo, tag, mediaType, manifest);
        return new Pushed(digest, manifest.length, mediaType, cfgDigest, config.os, config.architecture,
                config.variant);
    }

    /**
     * Pushes an OCI image with the given layers (in order, base first) and a config whose history has one entry per
     * layer, as {@code config.history(...)} set them; returns the manifest's digest.
     */
    public Pushed pushImage(String repo, String tag, TestImages.Config config, List<TestImages.TestLayer> layers) {
        List<String[]> descriptors = new ArrayList<>();
        for (TestImages.TestLayer l : layers) {
            String d = pushBlob(repo, l.blob());
            descriptors.add(new String[] { l.mediaType(), d, Long.toString(l.blob().length) });
        }
        byte[] cfg = config.json();
        String cfgDigest = pushBlob(repo, cfg);
        byte[] manifest = TestImages.manifest(cfgDigest, cfg.length, descriptors);
        String digest = pushManifest(repo, tag, TestImages.OCI_MANIFEST, manifest);
        return new Pushed(digest, manifest.length, TestImages.OCI_MANIFEST, cfgDigest, config.os, config.architecture,
                config.variant);
    }

    /** Pushes a config, the given layers (as gzip layers, in order) and a manifest tagged {@code tag}. */
    public Pushed pushImage(String repo, String tag, TestImages.Config config, boolean oci,
            Map<String, String> annotations, List<byte[]> layers) {
        byte[] cfg = config.json();
        String cfgDigest = pushBlob(repo, cfg);
        List<TestImages.LayerRef> refs = new ArrayList<>();
        for (byte[] layer : layers) {
            refs.add(new TestImages.LayerRef(oci ? TestImages.OCI_LAYER : TestImages.DOCKER_LAYER,
                    pushBlob(repo, layer), layer.length));
        }
        byte[] manifest = TestImages.manifest(oci, oci ? TestImages.OCI_CONFIG : TestImages.DOCKER_CONFIG, cfgDigest,
                cfg.length, refs, annotations);
        String mediaType = oci ? TestImages.OCI_MANIFEST : TestImages.DOCKER_MANIFEST;
        String digest = pushManifest(repo, tag, mediaType, manifest);
        return new Pushed(digest, manifest.length, mediaType, cfgDigest, config.os, config.architecture,
                config.variant);
    }

    /** Pushes an index or manifest list over already pushed manifests. */
    public String pushIndex(String repo, String tag, boolean oci, List<TestImages.IndexEntry> entries,
            Map<String, String> annotations) {
        return pushManifest(repo, tag, oci ? TestImages.OCI_INDEX : TestImages.DOCKER_LIST,
                TestImages.index(oci, entries, annotations));
    }

    public String pushBlob(String repo, byte[] content) {
        String digest = Digests.sha256(content);
        try {
            HttpResponse<String> exists = send(repo, HttpRequest.newBuilder(base().resolve("/v2/" + repo + "/blobs/"
                    + digest)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
            if (exists.statusCode() == 200) {
                return digest;
            }
            HttpResponse<String> start = send(repo, HttpRequest.newBuilder(base().resolve("/v2/" + repo + "/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            expect(start, 202, "blob upload start");
            String location = start.headers().firstValue("Location").orElseThrow();
            URI put = base().resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
            HttpResponse<String> done = send(repo, HttpRequest.newBuilder(put).header("Content-Type",
                    "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
            expect(done, 201, "blob upload");
            return digest;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PUTs a manifest under {@code reference} (a tag, or its digest when null); returns its digest. */
    public String pushManifest(String repo, String reference, String mediaType, byte[] body) {
        String digest = Digests.sha256(body);
        try {
            HttpResponse<String> r = send(repo, HttpRequest.newBuilder(base().resolve("/v2/" + repo + "/manifests/"
                    + (reference == null ? digest : reference))).header("Content-Type", mediaType)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
            expect(r, 201, "manifest push");
            return digest;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(String repo, HttpRequest.Builder b) throws IOException {
        switch (auth) {
            case HTPASSWD -> b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
            case TOKEN -> b.header("Authorization", "Bearer "
                    + tokens.mint(USER, List.<String[]> of(new String[] { "repository", repo, "pull,push" }), true));
            case NONE -> {
            }
        }
        try {
            return http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    private SSLContext sslContext() {
        if (ca == null) {
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return TestCerts.trusting(ca.certificate());
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (tokens != null) {
            tokens.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
