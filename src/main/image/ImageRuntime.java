import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Makes the Java runtime of Customs' image and its AOT cache, laid out under a root directory exactly as the image lays
 * them out (the paths come from {@code quarkus.jib.jvm-entrypoint}):
 *
 * <ol>
 * <li>links a runtime with {@code jlink} from the JDK that runs this program (the image's JDK: its AOT cache is only
 * valid for the JVM build that made it), with the modules Customs uses;</li>
 * <li>stages the application (the fast-jar in {@code target/quarkus-app}) beside it, with the jar the entrypoint runs:
 * a manifest that puts the fast-jar's jars on the JVM's own class path (see {@link #writeLauncher}), every file dated
 * 1970-01-01T00:00:00Z as Jib dates the files of the image, so a JVM that checks the class path finds what it
 * recorded;</li>
 * <li>runs Customs there once with {@code -XX:AOTCacheOutput} and the image's JVM flags — HTTPS with the named TLS
 * configuration the chart sets, a registry of training images on loopback — sends it AdmissionReviews of every kind,
 * probes and a metrics scrape, and stops it with SIGTERM as the kubelet does; the JVM writes the cache when it exits
 * (JEP 483/514);</li>
 * <li>removes the staged application again (the image build adds its own layers of the fast-jar), unless asked to
 * keep it, but for that jar and what the image build would make anew (see {@link #REBUILT}).</li>
 * </ol>
 *
 * The cache carries no machine code ({@code -XX:-AOTAdapterCaching}): JDK 25 would otherwise store adapters compiled
 * for this machine's processor and run them, unchecked, on whatever processor the image later runs on.
 *
 * <p>
 * Nor does it carry the training run's method profiles ({@code -XX:-AOTRecordTraining}, JEP 515): with them, a JVM
 * starting from the cache compiles at once what the training found hot, and on one or two cores the compiler threads
 * then take the CPU from the start-up itself. The chart's {@code -XX:CompileThresholdScaling=2} holds them back
 * further. Together, on two cores: the first answer 1.79 s after exec instead of 2.02 s (medians of 20 interleaved
 * starts), the 300 reviews after it 11% slower (README, "Customs' own image").
 *
 * <p>
 * A single-file program on the JDK alone (JEP 330), so the Maven build ({@code ./mvnw verify -Pimage}) and
 * {@code src/main/docker/Dockerfile.jvm} run the same code: {@code java src/main/image/ImageRuntime.java --help}.
 */
public final class ImageRuntime {

    /**
     * What Customs needs of the JDK, from {@code jdeps -s} over every jar of the fast-jar (java.desktop for the
     * {@code java.beans} that Quarkus core, Micrometer and commons-lang3 use), plus what is looked up at run time
     * rather than linked: the DNS naming provider and elliptic-curve TLS (service providers), JFR for diagnosing a
     * running webhook, and {@code jdk.management} for the process metrics. Not jdk.compiler: only Vert.x' code
     * generator, an annotation processor, refers to it.
     */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.desktop", "java.logging",
            "java.management", "java.naming", "java.net.http", "java.security.jgss", "java.sql", "java.xml",
            "jdk.crypto.ec", "jdk.jfr", "jdk.management", "jdk.naming.dns", "jdk.unsupported", "jdk.zipfs");

    /**
     * Quarkus' jib extension dates the fast-jar's files in the image at the epoch when
     * quarkus.jib.use-current-timestamp-file-modification is false (application.properties sets it: its default keeps
     * the time the image build wrote each file); the staged files carry the same time. The cache checks the date of
     * every jar on the class path.
     */
    static final FileTime IMAGE_FILE_TIME = FileTime.fromMillis(0);

    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    static final Duration EXIT_TIMEOUT = Duration.ofMinutes(5);

    public static void main(String[] args) {
        try {
            Options o = Options.parse(args);
            if (o == null) {
                System.out.println(Options.USAGE);
                return;
            }
            if (o.launcherOnly()) {
                requireFastJar(o.app());
                String name = Entrypoint.read(o.properties()).jar().getFileName().toString();
                writeLauncher(o.app(), name);
                System.out.println("wrote " + o.app().resolve(name) + ": Customs on the JVM's class path, for java -jar "
                        + "with an AppCDS archive or an AOT cache (README, \"Run it locally\")");
            } else {
                run(o);
            }
        } catch (Failure e) {
            System.err.println("image runtime: " + e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            // an unexpected failure: what it was and why, without a stack trace in the build's log
            StringBuilder why = new StringBuilder("image runtime: ").append(e);
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                why.append("\n  caused by ").append(c);
            }
            System.err.println(why);
            System.exit(1);
        }
    }

    static void run(Options o) throws Exception {
        checkJdk();
        Entrypoint entry = Entrypoint.read(o.properties());
        Path root = o.root().toAbsolutePath().normalize();
        Path runtime = root.resolve(relative(entry.javaHome()));
        Path app = root.resolve(relative(entry.appDir()));
        Path cache = root.resolve(relative(entry.cache()));
        Path work = Files.createDirectories(o.work().toAbsolutePath().normalize());

        long t0 = System.nanoTime();
        deleteTree(runtime);
        deleteTree(app);
        Files.deleteIfExists(cache);
        String runtimeSource = linkOrReuse(runtime, o.runtimeCache());
        long linked = System.nanoTime();
        stage(o.app(), app);
        writeLauncher(app, entry.jar().getFileName().toString());
        writeSums(app, work.resolve("trained-app.sha256"));
        dateAll(runtime);
        dateAll(app);

        Training training = new Training(entry, runtime, app, cache, work, o.javaOptions(), o.reviews());
        training.run();
        long trained = System.nanoTime();
        if (!o.keepApp()) {
            List<String> kept = new ArrayList<>(REBUILT);
            kept.add(entry.jar().getFileName().toString());
            keepOnly(app, kept);
        }
        System.out.printf("image runtime: %s (%d MiB) %s in %.1f s; %s (%d MiB) trained in %.1f s on %d reviews%n",
                root.relativize(runtime), size(runtime) >> 20, runtimeSource, (linked - t0) / 1e9,
                root.relativize(cache),
                Files.size(cache) >> 20, (trained - linked) / 1e9, o.reviews());
    }

    // ---- the JDK and the runtime ----

    /** The image is linux/amd64: only a JDK 25 or later for that platform can make its runtime and cache. */
    static void checkJdk() {
        Runtime.Version v = Runtime.version();
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (v.feature() < 25 || !os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new Failure("the image needs a JDK 25 or later for linux/amd64 to link its runtime and train its AOT"
                    + " cache; this is Java " + v + " on " + os + "/" + arch + " at " + System.getProperty("java.home")
                    + " (set customs.image.jdk)");
        }
    }

    static List<String> jlinkCommand(Path output) {
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        return List.of(jlink.toString(), "--add-modules", String.join(",", MODULES),
                // a compressed modules file costs start-up time; the image's layers are compressed anyway
                "--compress=zip-0", "--no-header-files", "--no-man-pages", "--output", output.toString());
    }

    static void link(Path output) throws IOException, InterruptedException {
        Files.createDirectories(output.getParent());
        exec(jlinkCommand(output), "jlink");
    }

    /**
     * Links the runtime into {@code output}, or, given a cache directory, copies the runtime an earlier run linked from
     * this very JDK with these very modules and options. jlink's output is a function of those alone, so the copy is
     * what jlink would make; the key is a digest of the JDK's {@code release} file, its path, its {@code lib/modules}
     * (size and time) and the jlink command line. Returns how the runtime was made, for the build's log.
     */
    static String linkOrReuse(Path output, Path cacheDir) throws IOException, InterruptedException {
        if (cacheDir == null) {
            link(output);
            return "linked";
        }
        Path cached = cacheDir.toAbsolutePath().normalize().resolve("runtime-" + runtimeKey());
        Path complete = cached.resolve(".complete");
        if (!Files.isRegularFile(complete)) {
            Files.createDirectories(cacheDir);
            Path partial = Files.createTempDirectory(cacheDir, "linking-");
            try {
                Path linked = partial.resolve("runtime");
                link(linked);
                Files.writeString(linked.resolve(".complete"), String.join(" ", jlinkCommand(Path.of("<out>"))) + "\n");
                if (!Files.isRegularFile(complete)) {
                    deleteTree(cached); // what a run stopped mid-way left
                }
                try {
                    Files.move(linked, cached, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    if (!Files.isRegularFile(complete)) {
                        throw e;
                    }
                    // another build linked the same runtime meanwhile
                }
            } finally {
                deleteTree(partial);
            }
        }
        copyPreservingLinks(cached, output);
        Files.delete(output.resolve(".complete"));
        return "copied from " + cached;
    }

    static String runtimeKey() throws IOException {
        Path home = Path.of(System.getProperty("java.home")).toRealPath();
        Path modules = home.resolve("lib/modules");
        StringBuilder key = new StringBuilder(home.toString()).append('\n')
                .append(Files.readString(home.resolve("release"))).append('\n').append(Files.size(modules))
                .append(' ').append(Files.getLastModifiedTime(modules).toMillis()).append('\n')
                .append(String.join(" ", jlinkCommand(Path.of("<out>"))));
        return HexFormat.of().formatHex(sha256(key.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    // ---- the application, staged as the image lays it out ----

    /** The parts of the fast-jar Jib puts into the image. */
    static final List<String> FAST_JAR = List.of("lib", "app", "quarkus", "quarkus-run.jar");

    static void stage(Path fastJar, Path target) throws IOException {
        requireFastJar(fastJar);
        Files.createDirectories(target);
        for (String part : FAST_JAR) {
            Path from = fastJar.resolve(part);
            if (Files.isDirectory(from)) {
                copyTree(from, target.resolve(part));
            } else {
                Files.copy(from, target.resolve(part), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * The parts of the fast-jar that Quarkus' build writes: the application's jar, and what it generated and transformed
     * with its index of the fast-jar ({@code lib} holds the dependencies' jars as they are). The image build runs
     * Quarkus' build again, with the container image's settings, and those recorded settings change the application's
     * jar and the generated classes: the image would hold other jars than the ones the cache was trained on, and the JVM
     * would refuse the cache. The image therefore ships the trained copies of these, which Jib lays over its own (the
     * extra directory is its last layer); they are what {@code java -jar target/quarkus-app/quarkus-run.jar} runs.
     */
    static final List<String> REBUILT = List.of("app", "quarkus");

    /** Removes everything under {@code dir} but these names. */
    static void keepOnly(Path dir, List<String> names) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                if (!names.contains(p.getFileName().toString())) {
                    deleteTree(p);
                }
            }
        }
    }

    /** The fast-jar's own launcher, which runs the application in Quarkus' class loader. */
    static final String FAST_JAR_LAUNCHER = "quarkus-run.jar";

    /** Fails, saying what to do, unless {@code fastJar} holds a packaged fast-jar. */
    static void requireFastJar(Path fastJar) {
        if (!Files.isRegularFile(fastJar.resolve(FAST_JAR_LAUNCHER))) {
            throw new Failure(fastJar + " holds no " + FAST_JAR_LAUNCHER + ": package the application first");
        }
    }

    /**
     * Writes the jar the image's entrypoint runs: a manifest only, whose {@code Class-Path} names every jar of the
     * staged fast-jar and whose {@code Main-Class} is the application's main class, so the application's classes are
     * loaded by the JVM's application class loader rather than by Quarkus' {@code RunnerClassLoader}. An AOT cache
     * holds classes of either loader, but only for the JVM's own loaders does it keep them linked, with their lambdas
     * and string concatenations resolved, and load them without reading the jars: under Quarkus' loader the JVM read
     * every class from its jar again and spun ~900 lambda and method-handle classes at every start (its JIT busy
     * compiling the class-file generator that makes them); on the class path the CPU time to the first answered review
     * fell by about a third. The order is the class loader's: the classes Quarkus transformed at build time before the
     * originals they replace, then its generated classes, the application, the boot and the main libraries (no class
     * is in two of these). The entry is dated like every other file of the image, so the jar is the same at every
     * build of the same application. The build writes the same jar into {@code target/quarkus-app} too
     * ({@code --launcher-only}), for {@code java -jar} runs with an AppCDS archive or an AOT cache.
     */
    static void writeLauncher(Path app, String name) throws IOException {
        if (name.equals(FAST_JAR_LAUNCHER)) {
            throw new Failure("the entrypoint runs " + name + ", the fast-jar's own launcher; it must run a jar of its "
                    + "own (this program writes it)");
        }
        List<String> classPath = new ArrayList<>();
        for (String generated : List.of("quarkus/transformed-bytecode.jar", "quarkus/generated-bytecode.jar")) {
            if (Files.isRegularFile(app.resolve(generated))) {
                classPath.add(generated);
            }
        }
        for (String dir : List.of("app", "lib/boot", "lib/main")) {
            try (Stream<Path> jars = Files.list(app.resolve(dir))) {
                jars.filter(j -> j.getFileName().toString().endsWith(".jar")).map(j -> app.relativize(j).toString())
                        .sorted().forEach(classPath::add);
            }
        }
        Manifest fastJar;
        try (JarFile jar = new JarFile(app.resolve(FAST_JAR_LAUNCHER).toFile())) {
            fastJar = jar.getManifest();
        }
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.MAIN_CLASS, mainClass(app));
        attributes.put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        String opens = fastJar.getMainAttributes().getValue("Add-Opens");
        if (opens != null) {
            attributes.putValue("Add-Opens", opens);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(app.resolve(name)))) {
            ZipEntry entry = new ZipEntry(JarFile.MANIFEST_NAME);
            entry.setTime(IMAGE_FILE_TIME.toMillis());
            out.putNextEntry(entry);
            manifest.write(out);
            out.closeEntry();
        }
    }

    /**
     * The application's main class, as Quarkus' launcher reads it: the first string of
     * {@code quarkus/quarkus-application.dat} (after its magic number and version).
     */
    static String mainClass(Path app) throws IOException {
        Path dat = app.resolve("quarkus/quarkus-application.dat");
        try (DataInputStream in = new DataInputStream(Files.newInputStream(dat))) {
            if (in.readInt() != 0xF0315432) {
                throw new Failure(dat + " is not a Quarkus application description");
            }
            in.readInt();
            return in.readUTF();
        }
    }

    /** {@code sha256sum} lines of every staged file, to compare with the image's layers. */
    static void writeSums(Path dir, Path out) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                sb.append(HexFormat.of().formatHex(sha256(Files.readAllBytes(p)))).append("  ")
                        .append(dir.relativize(p)).append('\n');
            }
        }
        Files.writeString(out, sb.toString());
    }

    // ---- the training run ----

    /** Customs on the linked runtime, with the image's flags and a cache to write, under a training workload. */
    static final class Training {
        private final Entrypoint entry;
        private final Path runtime;
        private final Path app;
        private final Path cache;
        private final Path work;
        private final List<String> javaOptions;
        private final int reviews;

        Training(Entrypoint entry, Path runtime, Path app, Path cache, Path work, List<String> javaOptions,
                int reviews) {
            this.entry = entry;
            this.runtime = runtime;
            this.app = app;
            this.cache = cache;
            this.work = work;
            this.javaOptions = javaOptions;
            this.reviews = reviews;
        }

        void run() throws Exception {
            Tls tls = Tls.create(work);
            try (TrainingRegistry registry = TrainingRegistry.start()) {
                int https = freePort();
                int management = freePort();
                List<String> cmd = new ArrayList<>();
                cmd.add(runtime.resolve("bin/java").toString());
                cmd.addAll(entry.jvmFlags());
                cmd.addAll(javaOptions);
                cmd.add("-XX:AOTCacheOutput=" + cache);
                // no processor-specific code and no method profiles in the cache (see the class comment)
                cmd.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTAdapterCaching",
                        "-XX:-AOTStubCaching", "-XX:-AOTRecordTraining"));
                cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")));
                // the chart's TLS set-up, on loopback ports of this machine
                cmd.add("-Dquarkus.http.host=127.0.0.1");
                cmd.add("-Dquarkus.management.host=127.0.0.1");
                cmd.add("-Dquarkus.http.port=" + freePort());
                cmd.add("-Dquarkus.http.ssl-port=" + https);
                cmd.add("-Dquarkus.management.port=" + management);
                cmd.add("-Dquarkus.http.insecure-requests=disabled");
                cmd.add("-Dquarkus.http.tls-configuration-name=webhook");
                cmd.add("-Dquarkus.tls.webhook.key-store.pem.0.cert=" + tls.cert());
                cmd.add("-Dquarkus.tls.webhook.key-store.pem.0.key=" + tls.key());
                cmd.add("-Dquarkus.shutdown.delay=0s");
                cmd.add("-Dcustoms.registry.insecure-registries=" + registry.authority());
                cmd.add("-jar");
                cmd.add(app.resolve(entry.jar().getFileName()).toString());

                Path log = work.resolve("training.log");
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(app.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                // nothing from this machine's environment: no cluster, no options the image does not have
                for (String v : List.of("KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "KUBECONFIG",
                        "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "QUARKUS_CONFIG_LOCATIONS")) {
                    pb.environment().remove(v);
                }
                pb.environment().put("POD_NAMESPACE", "customs");
                System.out.println("image runtime: training run: " + String.join(" ", cmd));
                Process p = pb.start();
                try {
                    HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .sslContext(tls.trusting()).connectTimeout(Duration.ofSeconds(10)).build();
                    // the apiserver sends reviews over HTTP/2 (ALPN h2); other callers use HTTP/1.1
                    HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                            .sslContext(tls.trusting()).connectTimeout(Duration.ofSeconds(10)).build();
                    awaitReady(p, http1, management, log);
                    Workload workload = new Workload(http1, http2, URI.create("https://127.0.0.1:" + https
                            + "/validate"), URI.create("http://127.0.0.1:" + management), registry);
                    workload.run(reviews, p, log);
                } finally {
                    p.destroy(); // SIGTERM: Customs shuts down, then the JVM writes the cache
                    if (!p.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        p.destroyForcibly();
                        throw new Failure("the training run did not exit within " + EXIT_TIMEOUT + "; see " + log);
                    }
                }
                String out = Files.readString(log);
                if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
                    throw new Failure("the training run (exit " + p.exitValue() + ") wrote no AOT cache; see " + log);
                }
                if (!out.contains("AOTCache creation is complete")) {
                    throw new Failure("the JVM did not report the AOT cache complete; see " + log);
                }
            }
        }

        private static void awaitReady(Process p, HttpClient client, int management, Path log) throws Exception {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            URI ready = URI.create("http://127.0.0.1:" + management + "/q/health/ready");
            while (true) {
                if (!p.isAlive()) {
                    throw new Failure("Customs exited with " + p.exitValue() + " during the training run; see " + log);
                }
                if (System.nanoTime() > deadline) {
                    throw new Failure("Customs was not ready within " + READY_TIMEOUT + "; see " + log);
                }
                try {
                    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5))
                            .build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * What the training run does: AdmissionReviews as the apiserver sends them — Pods, workloads of every kind, an
     * UPDATE, a DELETE, ephemeral containers, v1beta1, a malformed body — whose images are new at first and cached
     * later, on a few connections at once, twenty over HTTP/1.1, the next twenty over HTTP/2 (as the apiserver sends
     * them), and so on; the kubelet's probes; a Prometheus scrape. Without HTTP/2 here, the cache would lack the HTTP/2
     * server's classes, and the apiserver's first review would load and verify about 150 of them from the jars.
     */
    static final class Workload {
        private static final int CONNECTIONS = 4;
        /**
         * A training run records every class it loads and runs far slower than Customs does, the more so on a build
         * machine busy with other work: this only bounds a run that hangs. The answers' correctness is checked, their
         * speed is not.
         */
        private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);
        private final HttpClient client;
        private final HttpClient http2;
        private final URI validate;
        private final URI management;
        private final TrainingRegistry registry;

        Workload(HttpClient client, HttpClient http2, URI validate, URI management, TrainingRegistry registry) {
            this.client = client;
            this.http2 = http2;
            this.validate = validate;
            this.management = management;
            this.registry = registry;
        }

        void run(int reviews, Process p, Path log) throws Exception {
            AtomicInteger next = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int c = 0; c < CONNECTIONS; c++) {
                    futures.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < reviews; i = next.getAndIncrement()) {
                            review(i);
                            answered.incrementAndGet();
                            if (i % 50 == 0) {
                                probes();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(10, TimeUnit.MINUTES);
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Failure f) {
                    throw new Failure(f.getMessage() + "; see " + log);
                }
                throw new Failure("a training request failed: " + e.getCause() + "; see " + log);
            } finally {
                pool.shutdownNow();
            }
            if (!p.isAlive()) {
                throw new Failure("Customs exited during the training run; see " + log);
            }
        }

        /**
         * Sends review {@code i}: each run of {@link Reviews#KINDS} reviews (one of every kind) over one protocol, the
         * next over the other, so that every kind goes over both.
         */
        private void review(int i) throws IOException, InterruptedException {
            Reviews.Review r = Reviews.of(i, registry);
            boolean overHttp2 = (i / Reviews.KINDS) % 2 == 1;
            HttpRequest request = HttpRequest.newBuilder(validate).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(r.body()))
                    .build();
            HttpResponse<String> resp = (overHttp2 ? http2 : client).send(request, HttpResponse.BodyHandlers.ofString());
            if (overHttp2 && resp.version() != HttpClient.Version.HTTP_2) {
                throw new Failure("training review " + r.name() + " went over " + resp.version() + ": Customs did not "
                        + "offer HTTP/2 (ALPN h2), which the apiserver uses");
            }
            if (resp.statusCode() != r.status() || (r.status() == 200 && !resp.body().contains(r.uid()))) {
                throw new Failure("training review " + r.name() + " answered " + resp.statusCode() + " (expected "
                        + r.status() + "): " + abbreviate(resp.body()));
            }
        }

        private void probes() throws IOException, InterruptedException {
            for (String path : List.of("/q/health/started", "/q/health/live", "/q/health/ready", "/q/metrics")) {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(management.resolve(path))
                        .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != 200) {
                    throw new Failure(path + " answered " + r.statusCode() + " during the training run");
                }
            }
        }
    }

    /** The AdmissionReviews of the training run. */
    static final class Reviews {
        record Review(String name, String uid, String body, int status) {
        }

        /** Reviews {@code i} to {@code i + KINDS - 1} include one of every kind (see {@link #of}). */
        static final int KINDS = 20;

        static Review of(int i, TrainingRegistry registry) {
            String reg = registry.authority();
            // the first reviews meet images Customs has not seen; later ones hit its caches
            TrainingRegistry.Image a = registry.image(i);
            TrainingRegistry.Image b = registry.image(i + 7);
            TrainingRegistry.Image c = registry.image(i + 13);
            String uid = "00000000-0000-4000-8000-" + String.format("%012d", i);
            return switch (i % 10) {
                case 0, 1, 2 -> review("pod", uid, "v1", "", "v1", "Pod", "pods", "CREATE", "",
                        pod(containers(a.ref(reg)), "", ""), null);
                case 3 -> review("deployment", uid, "v1", "apps", "v1", "Deployment", "deployments", "CREATE", "",
                        workload("apps/v1", "Deployment", template(containers(b.ref(reg), c.byDigest(reg),
                                a.ref(reg)), containers(c.ref(reg)))), null);
                case 4 -> review("pod-10", uid, "v1", "", "v1", "Pod", "pods", "CREATE", "", pod(tenContainers(i,
                        registry), "", lastApplied()), null);
                case 5 -> review("cronjob", uid, "v1", "batch", "v1", "CronJob", "cronjobs", "CREATE", "",
                        cronJob(containers(b.ref(reg))), null);
                case 6 -> review("update", uid, "v1", "apps", "v1", "StatefulSet", "statefulsets", "UPDATE", "",
                        workload("apps/v1", "StatefulSet", template(containers(c.ref(reg)), "[]")),
                        workload("apps/v1", "StatefulSet", template(containers(c.ref(reg)), "[]")));
                case 7 -> review("host", uid, "v1", "", "v1", "Pod", "pods", "CREATE", "", pod(
                        containers("docker.io/library/busybox:latest"),
                        "\"hostNetwork\":true,\"volumes\":[{\"name\":\"docker\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}}],",
                        ""), null);
                case 8 -> i % 20 == 8
                        ? review("ephemeral", uid, "v1", "", "v1", "Pod", "pods", "UPDATE", "ephemeralcontainers",
                                ephemeralPod(a.ref(reg)), ephemeralPod(null))
                        : review("delete", uid, "v1", "", "v1", "Pod", "pods", "DELETE", "", null, pod(containers(
                                a.ref(reg)), "", ""));
                default -> i % 20 == 9
                        ? new Review("malformed", uid, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":", 400)
                        : review("v1beta1", uid, "v1beta1", "apps", "v1", "DaemonSet", "daemonsets", "CREATE", "",
                                workload("apps/v1", "DaemonSet", template(containers(b.ref(reg)), "[]")), null);
            };
        }

        private static Review review(String name, String uid, String version, String group, String kindVersion,
                String kind, String resource, String operation, String subResource, String object,
                String oldObject) {
            StringBuilder sb = new StringBuilder();
            sb.append("{\"apiVersion\":\"admission.k8s.io/").append(version).append("\",\"kind\":\"AdmissionReview\",")
                    .append("\"request\":{\"uid\":\"").append(uid).append("\",\"kind\":{\"group\":\"").append(group)
                    .append("\",\"version\":\"").append(kindVersion).append("\",\"kind\":\"").append(kind)
                    .append("\"},\"resource\":{\"group\":\"").append(group).append("\",\"version\":\"")
                    .append(kindVersion).append("\",\"resource\":\"").append(resource).append("\"},");
            if (!subResource.isEmpty()) {
                sb.append("\"subResource\":\"").append(subResource).append("\",");
            }
            sb.append("\"name\":\"training\",\"namespace\":\"shop\",\"operation\":\"").append(operation)
                    .append("\",\"userInfo\":{\"username\":\"system:serviceaccount:kube-system:replicaset-controller\",")
                    .append("\"groups\":[\"system:serviceaccounts\",\"system:authenticated\"]},")
                    .append("\"dryRun\":false,\"options\":{\"apiVersion\":\"meta.k8s.io/v1\",\"kind\":\"CreateOptions\"}");
            if (object != null) {
                sb.append(",\"object\":").append(object);
            }
            if (oldObject != null) {
                sb.append(",\"oldObject\":").append(oldObject);
            }
            return new Review(name, uid, sb.append("}}").toString(), 200);
        }

        private static String metadata(String name, String annotations) {
            return "{\"name\":\"" + name + "\",\"namespace\":\"shop\",\"uid\":\"6d1c5e0a-4f3b-4a2e-9c8d-1b2a3c4d5e6f\","
                    + "\"labels\":{\"app.kubernetes.io/name\":\"" + name + "\",\"app.kubernetes.io/part-of\":\"shop\"},"
                    + "\"annotations\":{" + annotations + "},"
                    + "\"managedFields\":[{\"manager\":\"kubectl-client-side-apply\",\"operation\":\"Update\","
                    + "\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{"
                    + "\".\":{},\"f:app.kubernetes.io/name\":{}}},\"f:spec\":{\"f:containers\":{}}}}]}";
        }

        private static String pod(String containers, String extraSpec, String annotations) {
            return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":" + metadata("web-7d9c6b8f5-x2k4p",
                    annotations) + ",\"spec\":" + spec(containers, "[]", extraSpec) + "}";
        }

        private static String ephemeralPod(String debugImage) {
            String ephemeral = debugImage == null ? ""
                    : "\"ephemeralContainers\":[{\"name\":\"debugger\",\"image\":\"" + debugImage
                            + "\",\"command\":[\"sh\",\"-c\",\"sleep 3600\"],\"stdin\":true,\"tty\":true}],";
            return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":" + metadata("web-0", "") + ",\"spec\":"
                    + spec(containers("docker.io/library/nginx:1.27"), "[]", ephemeral) + "}";
        }

        private static String workload(String apiVersion, String kind, String template) {
            return "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind + "\",\"metadata\":"
                    + metadata("web", "") + ",\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{"
                    + "\"app.kubernetes.io/name\":\"web\"}},\"template\":" + template + "}}";
        }

        private static String cronJob(String containers) {
            return "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":" + metadata("report", "")
                    + ",\"spec\":{\"schedule\":\"0 3 * * *\",\"jobTemplate\":{\"spec\":{\"template\":"
                    + template(containers, "[]").replace("\"spec\":{", "\"spec\":{\"restartPolicy\":\"OnFailure\",")
                    + "}}}}";
        }

        private static String template(String containers, String initContainers) {
            return "{\"metadata\":{\"labels\":{\"app.kubernetes.io/name\":\"web\"}},\"spec\":"
                    + spec(containers, initContainers, "") + "}";
        }

        private static String spec(String containers, String initContainers, String extra) {
            return "{" + extra + "\"serviceAccountName\":\"web\",\"securityContext\":{\"runAsNonRoot\":true,"
                    + "\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},\"initContainers\":" + initContainers
                    + ",\"containers\":" + containers + ",\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"}}";
        }

        private static String containers(String... images) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < images.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(container("c" + i, images[i], i));
            }
            return sb.append(']').toString();
        }

        private static String container(String name, String image, int i) {
            String user = i % 3 == 0 ? "" : "\"runAsUser\":" + (1000 + i) + ",";
            String command = i % 4 == 1 ? "\"command\":[\"/bin/sh\",\"-c\",\"exec /app/server --port 8080\"]," : "";
            String env = i % 2 == 0 ? "{\"name\":\"LOG_LEVEL\",\"value\":\"info\"}"
                    : "{\"name\":\"DB_PASSWORD\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"db\",\"key\":\"password\"}}}";
            return "{\"name\":\"" + name + "\",\"image\":\"" + image + "\"," + command
                    + "\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],\"env\":[" + env + "],"
                    + "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":"
                    + "\"256Mi\"}},\"securityContext\":{" + user + "\"allowPrivilegeEscalation\":false,"
                    + "\"readOnlyRootFilesystem\":true,\"capabilities\":{\"drop\":[\"ALL\"]}},"
                    + "\"volumeMounts\":[{\"name\":\"kube-api-access\",\"mountPath\":"
                    + "\"/var/run/secrets/kubernetes.io/serviceaccount\",\"readOnly\":true}]}";
        }

        private static String tenContainers(int i, TrainingRegistry registry) {
            String[] images = new String[10];
            for (int k = 0; k < images.length; k++) {
                TrainingRegistry.Image image = registry.image(i + k);
                images[k] = k % 5 == 4 ? image.byDigest(registry.authority()) : image.ref(registry.authority());
            }
            return containers(images);
        }

        private static String lastApplied() {
            return "\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"apiVersion\\\":\\\"v1\\\","
                    + "\\\"kind\\\":\\\"Pod\\\",\\\"metadata\\\":{\\\"name\\\":\\\"web\\\"}}\\n\"";
        }
    }

    /**
     * A registry of training images on loopback, speaking the distribution API's read side (GET and HEAD of
     * {@code /v2/}, manifests and blobs): OCI indexes and manifests, Docker manifest lists and manifests, configs with
     * users, entrypoints, labels, environment and build history — compliant ones and ones with the problems Customs
     * rejects, so every rule's image path runs. Nothing leaves this machine.
     */
    static final class TrainingRegistry implements AutoCloseable {
        static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
        static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
        static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
        static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
        static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
        static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
        static final int REPOSITORIES = 24;

        record Blob(String mediaType, byte[] bytes, String digest) {
        }

        /** One training image: repository, tag and the digest of what the tag names. */
        record Image(String repository, String tag, String digest) {
            String ref(String registry) {
                return registry + "/" + repository + ":" + tag;
            }

            String byDigest(String registry) {
                return registry + "/" + repository + "@" + digest;
            }
        }

        private final HttpServer server;
        private final Map<String, Blob> manifests = new ConcurrentHashMap<>();
        private final Map<String, Blob> blobs = new ConcurrentHashMap<>();
        private final List<Image> images = new ArrayList<>();

        private TrainingRegistry(HttpServer server) {
            this.server = server;
        }

        static TrainingRegistry start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            TrainingRegistry r = new TrainingRegistry(server);
            for (int i = 0; i < REPOSITORIES; i++) {
                r.images.add(r.push(i));
            }
            server.createContext("/v2/", r::handle);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
            return r;
        }

        String authority() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        Image image(int i) {
            return images.get(Math.floorMod(i, images.size()));
        }

        private Image push(int i) {
            String repository = "training/service-" + i;
            String tag = "1." + i + ".0";
            boolean oci = i % 2 == 0;
            String digest = switch (i % 4) {
                case 0, 1 -> {
                    // multi-platform: an index (OCI) or a manifest list (Docker) of amd64 and arm64
                    String amd64 = manifest(repository, config(i, "amd64"), oci);
                    String arm64 = manifest(repository, config(i, "arm64"), oci);
                    String index = "{\"schemaVersion\":2,\"mediaType\":\"" + (oci ? OCI_INDEX : DOCKER_LIST)
                            + "\",\"manifests\":[" + platform(amd64, oci, "amd64") + "," + platform(arm64, oci,
                                    "arm64")
                            + "]}";
                    yield put(manifests, repository, oci ? OCI_INDEX : DOCKER_LIST, index);
                }
                default -> manifest(repository, config(i, "amd64"), oci);
            };
            manifests.put(repository + ":" + tag, manifests.get(repository + "@" + digest));
            return new Image(repository, tag, digest);
        }

        private String platform(String digest, boolean oci, String arch) {
            Blob m = manifests.values().stream().filter(b -> b.digest().equals(digest)).findFirst().orElseThrow();
            return "{\"mediaType\":\"" + (oci ? OCI_MANIFEST : DOCKER_MANIFEST) + "\",\"digest\":\"" + digest
                    + "\",\"size\":" + m.bytes().length + ",\"platform\":{\"architecture\":\"" + arch
                    + "\",\"os\":\"linux\"}}";
        }

        private String manifest(String repository, String config, boolean oci) {
            String configDigest = put(blobs, "", oci ? OCI_CONFIG : DOCKER_CONFIG, config);
            String layerMedia = oci ? "application/vnd.oci.image.layer.v1.tar+gzip"
                    : "application/vnd.docker.image.rootfs.diff.tar.gzip";
            StringBuilder layers = new StringBuilder();
            for (int l = 0; l < 3; l++) {
                byte[] layer = (repository + " layer " + l).getBytes(StandardCharsets.UTF_8);
                layers.append(l > 0 ? "," : "").append("{\"mediaType\":\"").append(layerMedia)
                        .append("\",\"digest\":\"").append(digest(layer)).append("\",\"size\":")
                        .append(1_000_000 * (l + 1)).append('}');
            }
            String m = "{\"schemaVersion\":2,\"mediaType\":\"" + (oci ? OCI_MANIFEST : DOCKER_MANIFEST)
                    + "\",\"config\":{\"mediaType\":\"" + (oci ? OCI_CONFIG : DOCKER_CONFIG) + "\",\"digest\":\""
                    + configDigest + "\",\"size\":" + config.getBytes(StandardCharsets.UTF_8).length
                    + "},\"layers\":[" + layers + "]}";
            return put(manifests, repository, oci ? OCI_MANIFEST : DOCKER_MANIFEST, m);
        }

        /** Image configs in four flavours, by {@code i % 4}: compliant, root and shell form, leaked token, pinned base. */
        private static String config(int i, String arch) {
            String labels = "\"org.opencontainers.image.title\":\"service-" + i + "\","
                    + "\"org.opencontainers.image.source\":\"https://example.com/service.git\","
                    + "\"org.opencontainers.image.version\":\"1." + i + ".0\","
                    + "\"org.opencontainers.image.revision\":\"" + "0123456789abcdef".repeat(2) + "\"";
            String user;
            String process;
            String env = "\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"";
            StringBuilder history = new StringBuilder(
                    "{\"created_by\":\"/bin/sh -c #(nop) ADD file:0123 in / \"},{\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"bash\\\"]\",\"empty_layer\":true}");
            switch (i % 4) {
                case 0 -> {
                    user = "10001";
                    process = "\"Entrypoint\":[\"/app/server\"],\"Cmd\":[\"--port\",\"8080\"]";
                    labels += ",\"org.opencontainers.image.base.name\":\"docker.io/library/debian:12@sha256:"
                            + "ab".repeat(32) + "\"";
                }
                case 1 -> {
                    user = "";
                    process = "\"Cmd\":[\"/bin/sh\",\"-c\",\"nginx -g 'daemon off;'\"]";
                    labels = "\"maintainer\":\"web team\"";
                }
                case 2 -> {
                    user = "node";
                    process = "\"Entrypoint\":[\"npm\",\"start\"]";
                    // a build argument recorded in the history, as `docker build --build-arg` leaves it
                    String token = "npm_" + "Tr41n1ng".repeat(4) + "abcd";
                    history.append(",{\"created_by\":\"|1 NPM_TOKEN=").append(token)
                            .append(" /bin/sh -c npm ci --omit=dev\"}");
                    env += ",\"NODE_ENV=production\",\"API_KEY=" + "AKIA" + "TRAININGEXAMPLE1" + "\"";
                    labels += ",\"org.opencontainers.image.base.name\":\"docker.io/library/node:20\"";
                }
                default -> {
                    user = "0:0";
                    process = "\"Entrypoint\":[\"/usr/bin/tini\",\"--\",\"/app/run\"]";
                }
            }
            history.append(",{\"created_by\":\"COPY app /app # buildkit\",\"comment\":\"buildkit.dockerfile.v0\"}");
            return "{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"created\":\"2025-06-01T12:00:00Z\","
                    + "\"config\":{\"User\":\"" + user + "\",\"Env\":[" + env + "]," + process
                    + ",\"WorkingDir\":\"/app\",\"Labels\":{" + labels + "}},\"rootfs\":{\"type\":\"layers\","
                    + "\"diff_ids\":[\"" + digest("a".getBytes()) + "\",\"" + digest("b".getBytes()) + "\",\""
                    + digest("c".getBytes()) + "\"]},\"history\":[" + history + "]}";
        }

        private static String put(Map<String, Blob> store, String repository, String mediaType, String content) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            String digest = digest(bytes);
            Blob blob = new Blob(mediaType, bytes, digest);
            store.put(repository.isEmpty() ? digest : repository + "@" + digest, blob);
            return digest;
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                boolean head = ex.getRequestMethod().equals("HEAD");
                Blob blob = null;
                if (path.equals("/v2/")) {
                    send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), null, head);
                    return;
                }
                int m = path.lastIndexOf("/manifests/");
                int b = path.lastIndexOf("/blobs/");
                if (m > 0) {
                    String repository = path.substring("/v2/".length(), m);
                    String reference = path.substring(m + "/manifests/".length());
                    blob = manifests.get(repository + (reference.startsWith("sha256:") ? "@" : ":") + reference);
                } else if (b > 0) {
                    blob = blobs.get(path.substring(b + "/blobs/".length()));
                }
                if (blob == null) {
                    send(ex, 404, "application/json",
                            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"unknown\"}]}"
                                    .getBytes(StandardCharsets.UTF_8),
                            null, head);
                } else {
                    send(ex, 200, blob.mediaType(), blob.bytes(), blob.digest(), head);
                }
            }
        }

        private static void send(HttpExchange ex, int status, String type, byte[] body, String digest, boolean head)
                throws IOException {
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Docker-Distribution-Api-Version", "registry/2.0");
            if (digest != null) {
                ex.getResponseHeaders().set("Docker-Content-Digest", digest);
            }
            if (head) {
                ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            ((ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    /**
     * A serving certificate as the chart makes one (RSA 2048, for the Service name and 127.0.0.1), as PEM files, made
     * with the JDK's keytool; and a client context that trusts it.
     */
    record Tls(Path cert, Path key, KeyStore store) {
        static Tls create(Path work) throws Exception {
            Path p12 = work.resolve("training-tls.p12");
            Files.deleteIfExists(p12);
            char[] password = HexFormat.of().formatHex(random(16)).toCharArray();
            exec(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                    "-alias", "customs", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname",
                    "CN=customs.customs.svc", "-ext", "SAN=dns:customs.customs.svc,dns:localhost,ip:127.0.0.1",
                    "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", new String(password)),
                    "keytool");
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                store.load(in, password);
            }
            Certificate certificate = store.getCertificate("customs");
            byte[] key = store.getKey("customs", password).getEncoded(); // PKCS#8
            Files.delete(p12);
            Path cert = work.resolve("training-tls.crt");
            Path keyFile = work.resolve("training-tls.key");
            Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", key));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("customs", certificate);
            return new Tls(cert, keyFile, trust);
        }

        SSLContext trusting() throws Exception {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
                    + "\n-----END " + type + "-----\n";
        }
    }

    // ---- the image's entrypoint ----

    /**
     * The image's entrypoint, {@code quarkus.jib.jvm-entrypoint}: {@code <java-home>/bin/java
     * -XX:AOTCache=<cache> <flags> -jar <app-dir>/<launcher>.jar}, all paths absolute; this program writes the launcher
     * ({@link ImageRuntime#writeLauncher}).
     */
    record Entrypoint(Path javaHome, Path cache, List<String> jvmFlags, Path jar) {
        static final String KEY = "quarkus.jib.jvm-entrypoint";

        Path appDir() {
            return jar.getParent();
        }

        static Entrypoint read(Path properties) throws IOException {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(properties)) {
                p.load(in);
            }
            String value = p.getProperty(KEY);
            if (value == null) {
                throw new Failure(properties + " sets no " + KEY);
            }
            return parse(List.of(value.split(",")));
        }

        static Entrypoint parse(List<String> args) {
            String where = "the entrypoint " + args;
            if (args.size() < 3 || !args.get(0).endsWith("/bin/java") || !args.get(0).startsWith("/")) {
                throw new Failure(where + " does not start with an absolute <java-home>/bin/java");
            }
            int jar = args.indexOf("-jar");
            if (jar < 0 || jar != args.size() - 2 || !args.get(jar + 1).startsWith("/")) {
                throw new Failure(where + " does not end with -jar and the absolute path of the jar it runs");
            }
            Path cache = null;
            List<String> flags = new ArrayList<>();
            for (String a : args.subList(1, jar)) {
                if (a.startsWith("-XX:AOTCache=")) {
                    cache = Path.of(a.substring("-XX:AOTCache=".length()));
                } else if (a.startsWith("-XX:AOTMode") || a.startsWith("-XX:AOTCacheOutput")) {
                    throw new Failure(where + " sets " + a + ": the image's JVM uses its cache if it can (auto)");
                } else {
                    flags.add(a);
                }
            }
            if (cache == null || !cache.isAbsolute()) {
                throw new Failure(where + " names no absolute -XX:AOTCache=<file>");
            }
            return new Entrypoint(Path.of(args.get(0)).getParent().getParent(), cache, List.copyOf(flags),
                    Path.of(args.get(jar + 1)));
        }
    }

    // ---- options ----

    record Options(Path properties, Path app, Path root, Path work, List<String> javaOptions, int reviews,
            boolean keepApp, Path runtimeCache, boolean launcherOnly) {
        static final String USAGE = """
                usage: java src/main/image/ImageRuntime.java --properties <application.properties> \\
                         --app <target/quarkus-app> --root <dir> --work <dir> \\
                         [--java-options "<options>"] [--reviews <n>] [--keep-app] [--runtime-cache <dir>]
                       java src/main/image/ImageRuntime.java --launcher-only \\
                         --properties <application.properties> --app <target/quarkus-app>

                Links the image's Java runtime from this JDK and trains its AOT cache, under <dir> at the paths of
                the image's entrypoint (quarkus.jib.jvm-entrypoint in <application.properties>).
                  --java-options  more options for the training run, standing in for the container's
                                  (default: -XX:MaxRAM=512m, the chart's memory limit)
                  --reviews       AdmissionReviews the training run answers (default 400)
                  --keep-app      leave the staged application under <dir> (a Dockerfile copies it from there)
                  --runtime-cache keep the linked runtime in this directory, keyed by this JDK's exact build and
                                  the modules, and copy it from there next time instead of linking again
                  --launcher-only only write the entrypoint's jar into <target/quarkus-app> itself, on any JDK from
                                  17: java -jar with it runs Customs on the JVM's class path, where an AppCDS
                                  archive or an AOT cache keeps far more of its classes (the build runs this)
                """;

        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            boolean keep = false;
            boolean launcherOnly = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help", "-h" -> {
                        return null;
                    }
                    case "--keep-app" -> keep = true;
                    case "--launcher-only" -> launcherOnly = true;
                    case "--properties", "--app", "--root", "--work", "--java-options", "--reviews",
                            "--runtime-cache" -> {
                        if (i + 1 >= args.length) {
                            throw new Failure(a + " needs a value\n" + USAGE);
                        }
                        values.put(a, args[++i]);
                    }
                    default -> throw new Failure("unknown argument " + a + "\n" + USAGE);
                }
            }
            for (String required : launcherOnly ? List.of("--properties", "--app")
                    : List.of("--properties", "--app", "--root", "--work")) {
                if (!values.containsKey(required)) {
                    throw new Failure(required + " is required\n" + USAGE);
                }
            }
            String javaOptions = values.getOrDefault("--java-options", "-XX:MaxRAM=512m").strip();
            int reviews;
            try {
                reviews = Integer.parseInt(values.getOrDefault("--reviews", "400"));
            } catch (NumberFormatException e) {
                throw new Failure("--reviews: not a number");
            }
            return new Options(Path.of(values.get("--properties")), Path.of(values.get("--app")),
                    Path.of(values.getOrDefault("--root", ".")), Path.of(values.getOrDefault("--work", ".")),
                    javaOptions.isEmpty() ? List.of() : List.of(javaOptions.split("\\s+")), reviews, keep,
                    values.containsKey("--runtime-cache") && !values.get("--runtime-cache").isBlank()
                            ? Path.of(values.get("--runtime-cache"))
                            : null,
                    launcherOnly);
        }
    }

    // ---- helpers ----

    /** A failure with a message that says it all; printed without a stack trace. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    static Path relative(Path absolute) {
        return absolute.getRoot().relativize(absolute);
    }

    static void exec(List<String> cmd, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new Failure(what + " failed (exit " + p.exitValue() + "):\n" + out);
        }
    }

    /** Copies a tree as it is: symbolic links stay links (jlink's legal notices), modes are kept. */
    static void copyPreservingLinks(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                            LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Dates every file and directory under {@code dir} as Jib dates the image's files. */
    static void dateAll(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!Files.isSymbolicLink(file)) {
                    Files.setLastModifiedTime(file, IMAGE_FILE_TIME);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.setLastModifiedTime(d, IMAGE_FILE_TIME);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String digest(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256(bytes));
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
