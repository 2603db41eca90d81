package dev.customs.image.registry;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import dev.customs.config.CustomsConfig;
import dev.customs.image.ImageInspector;
import dev.customs.image.ImageRequest;
import dev.customs.image.PlatformSelector;
import dev.customs.image.layers.LayerScans;
import dev.customs.image.layers.LayerSource;
import dev.customs.image.registry.Manifest.Entry;
import dev.customs.image.registry.RegistryClient.Target;
import dev.customs.image.registry.RegistryFailure.Kind;
import dev.customs.report.Recorder;
import dev.customs.rules.ConfigVerdict;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageReference;
import dev.customs.rules.Layer;
import dev.customs.rules.LayerSecrets;
import dev.customs.rules.Platform;
import dev.customs.rules.PlatformImage;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;

/**
 * Reads images from their registries: tag → digest → (platform manifests) → config blobs, through caches, and turns
 * the result into {@link ImageFacts}.
 *
 * <p>
 * Manifests and configs are content-addressed, so they are cached by digest in bounded LRUs and never fetched twice;
 * a digest reference needs no request once warm. A tag's digest is trusted for {@code tag-ttl}, then checked with one
 * {@code HEAD}; when that check fails transiently, the last known digest keeps serving for up to {@code max-stale}
 * ("stale"). Concurrent lookups of one image share one resolution (single flight), and a failed resolution is
 * remembered for {@code negative-ttl}. Never completes exceptionally and never blocks its caller: every failure is
 * {@link ImageFacts.Unavailable} with a reason fit for the user.
 *
 * <p>
 * The caches are shared by all namespaces. An image once read with one namespace's pull secret is thus served to any
 * pod that names the same tag or digest; only its configuration is revealed that way, never its layers, and the
 * kubelet still needs the credentials to pull it.
 */
public final class RegistryImageInspector implements ImageInspector, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RegistryImageInspector.class);

    /** Manifests larger than this are refused (the distribution registry's own limit for pushes). */
    public static final long MAX_MANIFEST = 4L * 1024 * 1024;
    /** Image config blobs larger than this are refused. */
    public static final long MAX_CONFIG = 8L * 1024 * 1024;

    private record DigestKey(String registry, String repository, String digest) {
        long weight() {
            return CacheWeights.key(registry, repository, digest);
        }
    }

    /**
     * A tag's cache key. Its hash is written out: a warm review looks up every image's tag and resolved keys, and the
     * record's generated {@code hashCode} took a third of that look-up's time.
     */
    private record TagKey(String registry, String repository, String tag) {
        @Override
        public int hashCode() {
            return (Objects.hashCode(registry) * 31 + Objects.hashCode(repository)) * 31 + Objects.hashCode(tag);
        }

        // written out, as hashCode is: a record's generated equals goes through a method handle, on every look-up of
        // every image of every review
        @Override
        public boolean equals(Object o) {
            return o instanceof TagKey k && Objects.equals(tag, k.tag) && Objects.equals(repository, k.repository)
                    && Objects.equals(registry, k.registry);
        }
    }

    private record TagEntry(String digest, Instant checked) {
    }

    private record TagResult(String digest, boolean stale) {
    }

    /**
     * One resolution: the image and, as a digest when long, what else decides it (the platforms the pod allows and,
     * with pull secrets, whose credentials). Both come from the pod spec, so the key of a remembered failure stays
     * small however the spec is written.
     */
    private record FlightKey(String image, String scope) {
    }

    /** A resolved image's cache key; its hash written out for the reason {@link TagKey} gives. */
    private record ResolvedKey(String registry, String repository, String digest, PlatformSelector platforms) {
        long weight() {
            return CacheWeights.key(registry, repository, digest) + CacheWeights.selector(platforms);
        }

        @Override
        public int hashCode() {
            return ((Objects.hashCode(registry) * 31 + Objects.hashCode(repository)) * 31 + Objects.hashCode(digest))
                    * 31 + Objects.hashCode(platforms);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ResolvedKey k && Objects.equals(digest, k.digest)
                    && Objects.equals(repository, k.repository) && Objects.equals(registry, k.registry)
                    && Objects.equals(platforms, k.platforms);
        }
    }

    /**
     * A resolved image as cached for warm reviews: its facts, before layer scans, and where its layers are read from,
     * so a warm review still joins the current layer verdicts (and schedules a layer whose verdict is gone). Once every
     * layer of every platform was scanned and nothing found, that joined result can no longer change (layers are
     * content-addressed) and takes no more memory than the facts: it is kept in {@code clean}, and warm reviews reuse it
     * instead of joining again.
     */
    private record Warm(ImageFacts.Resolved facts, LayerSource layers, AtomicReference<ImageFacts.Resolved> clean,
            int layerCount) {
        Warm(ImageFacts.Resolved facts, LayerSource layers) {
            this(facts, layers, new AtomicReference<>(), layerCount(facts));
        }

        /** How many layers its platforms have in all: the layer verdicts a warm review reuses. */
        private static int layerCount(ImageFacts.Resolved facts) {
            int n = 0;
            for (PlatformImage p : facts.platforms()) {
                n += p.verdict().layers().size();
            }
            return n;
        }

        /** The facts with their layer scans joined, for this review, keeping them when they are final and clean. */
        CompletableFuture<ImageFacts> joined(CompletableFuture<ImageFacts> join) {
            return join.thenApply(f -> {
                if (f instanceof ImageFacts.Resolved r && r.platforms().stream()
                        .allMatch(p -> p.layerSecrets().status() == LayerSecrets.Status.COMPLETE
                                && p.layerSecrets().findings().isEmpty() && p.layerSecrets().capped().isEmpty())) {
                    clean.set(r);
                }
                return f;
            });
        }
    }

    private record Outcome(ImageFacts facts, String result) {
    }

    /**
     * A warm image as the last review of the same parsed reference found it, until {@code until} (epoch millis): at
     * most {@link #FRONT_MILLIS} on, and never past its tag's TTL. The resolved facts are held weakly: the front keeps
     * nothing the {@code resolved} cache has let go of (an entry evicted meanwhile is served until it is collected, as
     * it would have been by a review that had it already).
     */
    private static final class Front extends WeakReference<Warm> {
        final ImageReference reference;
        final PlatformSelector selector;
        final long until;

        Front(ImageReference reference, PlatformSelector selector, long until, Warm warm) {
            super(warm);
            this.reference = reference;
            this.selector = selector;
            this.until = until;
        }
    }

    /** Front slots: two ways of 64 sets, for a cluster's busiest images. */
    static final int FRONT_SLOTS = 128;
    /**
     * How long a front entry serves before the caches are asked again. Short, because front hits are not reads the
     * caches see: a busy image is still read from them every second, so their eviction keeps it as the hot image it
     * is, and a digest they learn otherwise (a tag fetched again after its entry was evicted) reaches every review
     * within a second.
     */
    static final long FRONT_MILLIS = 1_000;

    /** A cached config with its verdict, judged once when the config was fetched. */
    private record Judged(ImageConfig config, ConfigVerdict verdict) {
    }

    /** What one resolution did, for its metric. */
    private static final class Trace {
        volatile boolean fetched;
        volatile boolean refreshed;
        volatile boolean stale;

        /** stale, miss (something fetched), refresh (only a HEAD of the tag after its TTL), or hit. */
        String result() {
            return stale ? "stale" : fetched ? "miss" : refreshed ? "refresh" : "hit";
        }
    }

    private final CustomsConfig.Registry config;
    private final ObjectMapper mapper;
    private final LayerScans layerScans;
    private final Duration requestTimeout;
    private final Recorder recorder;
    private final Clock clock;
    private final Duration tagTtl;
    private final Duration maxStale;
    /** How long a review waits for the check of a known tag before its last digest serves (half the budget). */
    private final Duration staleAfter;
    private final Vertx vertx;
    private final boolean usePullSecrets;
    private final List<Platform> preferred;
    private final ThreadPoolExecutor workers;
    private final RegistryHttp http;
    private final RegistryClient client;
    private final PullSecrets pullSecrets;
    private final AuthFile authFile;
    private final SingleFlight<DigestKey, Manifest> manifests;
    private final SingleFlight<DigestKey, Judged> configs;
    private final Cache<TagKey, TagEntry> tags;
    private final Cache<FlightKey, ImageFacts.Unavailable> failures;
    /**
     * The facts of a resolved digest for one platform selection, immutable like everything under a digest: a warm
     * review of a digest (or of a tag checked within its TTL) is answered from here without futures, flights or new
     * objects.
     */
    private final Cache<ResolvedKey, Warm> resolved;
    /**
     * Warm look-ups of the same reference, by identity ({@link ImageReference#parse} gives a review's images the
     * instances it gave the reviews before): no key, hash or cache look-up for most images of most reviews. Racy by
     * design, as every slot holds an immutable entry: a read gets an entry that matches, or none.
     */
    private final Front[] front = new Front[FRONT_SLOTS];
    private final Map<FlightKey, CompletableFuture<Outcome>> flights = new ConcurrentHashMap<>();
    private final Map<TagKey, CompletableFuture<TagResult>> tagFlights = new ConcurrentHashMap<>();
    private final Map<TagKey, CompletableFuture<TagResult>> tagChecks = new ConcurrentHashMap<>();

    /**
     * Builds the inspector from configuration; reads the CA file now, so a bad one fails start-up.
     *
     * @param kubernetes the Kubernetes client, asked for only when {@code use-pull-secrets} is true
     */
    public static RegistryImageInspector create(CustomsConfig.Registry config, Vertx vertx, ObjectMapper mapper,
            Supplier<KubernetesClient> kubernetes, Recorder recorder) {
        return create(config, vertx, mapper, kubernetes, recorder, null);
    }

    /**
     * @param layerScans where the layers of resolved images are scanned for secret files; null for none
     */
    public static RegistryImageInspector create(CustomsConfig.Registry config, Vertx vertx, ObjectMapper mapper,
            Supplier<KubernetesClient> kubernetes, Recorder recorder, LayerScans layerScans) {
        RegistryImageInspector inspector = new RegistryImageInspector(config, vertx, mapper, kubernetes, recorder,
                Clock.systemUTC(), HostResolver.SYSTEM, layerScans);
        LOG.infof("registry access: insecure=%s mirrors=%s ca-file=%s auth-file=%s use-pull-secrets=%s platforms=%s",
                inspector.client.insecure(), inspector.client.mirrors(), config.caFile().isPresent(),
                config.authFile().isPresent(), inspector.usePullSecrets,
                inspector.preferred.isEmpty() ? "every linux platform" : inspector.preferred);
        return inspector;
    }

    RegistryImageInspector(CustomsConfig.Registry config, Vertx vertx, ObjectMapper mapper,
            Supplier<KubernetesClient> kubernetes, Recorder recorder, Clock clock, HostResolver resolver) {
        this(config, vertx, mapper, kubernetes, recorder, clock, resolver, null);
    }

    RegistryImageInspector(CustomsConfig.Registry config, Vertx vertx, ObjectMapper mapper,
            Supplier<KubernetesClient> kubernetes, Recorder recorder, Clock clock, HostResolver resolver,
            LayerScans layerScans) {
        this.config = config;
        this.layerScans = layerScans;
        this.requestTimeout = config.requestTimeout();
        this.mapper = mapper;
        this.recorder = recorder;
        this.clock = clock;
        this.tagTtl = config.tagTtl();
        this.maxStale = config.maxStale();
        this.staleAfter = config.budget().dividedBy(2);
        this.vertx = vertx;
        this.usePullSecrets = config.usePullSecrets();
        this.preferred = config.platforms().orElse(List.of()).stream().map(RegistryImageInspector::platform).toList();
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4096), r -> {
            Thread t = new Thread(r, "customs-registry-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        workers.allowCoreThreadTimeOut(true);
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());

        Set<String> insecure = lower(hosts("customs.registry.insecure-registries",
                config.insecureRegistries().orElse(List.of())));
        Set<String> exempt = new LinkedHashSet<>(insecure);
        exempt.addAll(lower(hosts("customs.registry.allowed-hosts", config.allowedHosts().orElse(List.of()))));
        AddressGuard guard = new AddressGuard(config.blockedNetworks(), exempt, resolver, workers);
        Map<String, List<String>> mirrors = new LinkedHashMap<>();
        config.mirrors().forEach((registry, mirror) -> {
            String key = "customs.registry.mirrors.\"" + configuredHost("customs.registry.mirrors", unquote(registry))
                    + "\"";
            mirrors.put(DockerAuths.canonicalHost(unquote(registry)), hosts(key,
                    List.of(mirror.split(",")).stream().map(String::strip).filter(m -> !m.isEmpty()).toList()));
        });
        this.http = new RegistryHttp(vertx, config.caFile().map(RegistryImageInspector::trust).orElse(null), guard,
                workers, config.requestTimeout(), recorder);
        this.client = new RegistryClient(http, mapper, insecure, mirrors, workers, ticker);
        this.pullSecrets = config.usePullSecrets() ? new PullSecrets(kubernetes, mapper, workers, ticker) : null;
        this.authFile = config.authFile().map(p -> new AuthFile(p, mapper, clock)).orElse(null);

        // weighed in bytes: an image chosen by a pod's author must not be able to take more than its share. The
        // resolved facts refer to the cached configs, but outlive them when those are evicted, so they count in full
        long memory = config.cacheMemory().asLongValue();
        long quarter = memory / 4;
        this.manifests = new SingleFlight<>(Caffeine.newBuilder().maximumWeight(quarter)
                .weigher(CacheWeights.<DigestKey, Manifest> weigher(quarter, config.cacheSize(), DigestKey::weight,
                        CacheWeights::manifest))
                .executor(workers).ticker(ticker).build());
        this.configs = new SingleFlight<>(Caffeine.newBuilder().maximumWeight(quarter)
                .weigher(CacheWeights.<DigestKey, Judged> weigher(quarter, config.cacheSize(), DigestKey::weight,
                        j -> CacheWeights.judged(j.config(), j.verdict())))
                .executor(workers).ticker(ticker).build());
        long rest = memory - 2 * quarter;
        this.resolved = Caffeine.newBuilder().maximumWeight(rest)
                .weigher(CacheWeights.<ResolvedKey, Warm> weigher(rest, config.cacheSize(), ResolvedKey::weight,
                        w -> CacheWeights.resolved(w.facts())))
                .executor(workers).ticker(ticker).build();
        this.tags = Caffeine.newBuilder().maximumSize(config.cacheSize())
                .expireAfterWrite(maxStale.compareTo(tagTtl) > 0 ? maxStale : tagTtl).executor(workers).ticker(ticker)
                .build();
        this.failures = Caffeine.newBuilder().maximumSize(config.cacheSize()).expireAfterWrite(config.negativeTtl())
                .executor(workers).ticker(ticker).build();
    }

    @Override
    public ImageFacts known(ImageReference reference, ImageRequest request) {
        try {
            Warm warm = warm(reference, selector(request));
            return warm == null ? null : reusedClean(warm, recorder(request));
        } catch (RuntimeException e) {
            return null; // inspect answers, and says what failed
        }
    }

    @Override
    public CompletionStage<ImageFacts> inspect(ImageReference reference, ImageRequest request) {
        Recorder recorder = recorder(request);
        try {
            PlatformSelector selector = selector(request);
            Warm warm = warm(reference, selector);
            if (warm != null) {
                ImageFacts.Resolved clean = reusedClean(warm, recorder);
                if (clean != null) {
                    return CompletableFuture.completedFuture(clean);
                }
                recorder.imageResolution("hit");
                return warm.joined(withLayerSecrets(warm.facts(), warm.layers(), request));
            }
            FlightKey key = new FlightKey(reference.normalized(), scope(selector, request));
            ImageFacts.Unavailable failed = failures.getIfPresent(key);
            if (failed != null) {
                recorder.imageResolution("error");
                return CompletableFuture.completedFuture(failed);
            }
            CompletableFuture<Outcome> mine = new CompletableFuture<>();
            CompletableFuture<Outcome> running = flights.putIfAbsent(key, mine);
            if (running == null) {
                running = mine;
                CompletableFuture<ImageFacts> work;
                Trace trace = new Trace();
                try {
                    work = resolve(reference, request, selector, trace);
                } catch (RuntimeException e) {
                    work = CompletableFuture.failedFuture(e);
                }
                work.whenComplete((facts, e) -> {
                    Outcome out;
                    if (e != null) {
                        RegistryFailure f = RegistryFailure.of(e);
                        LOG.debugf("image unavailable: image=%s kind=%s reason=%s", reference, f.kind(), f.getMessage());
                        ImageFacts.Unavailable u = new ImageFacts.Unavailable(f.getMessage());
                        if (f.kind() != Kind.BUSY) {
                            // back-pressure says nothing about the image: the next review asks again
                            failures.put(key, u);
                        }
                        out = new Outcome(u, "error");
                    } else {
                        out = new Outcome(facts, trace.result());
                    }
                    flights.remove(key, mine);
                    mine.complete(out);
                });
            }
            return running.thenApply(o -> {
                recorder.imageResolution(o.result());
                return o.facts();
            });
        } catch (RuntimeException e) {
            LOG.warnf("image inspection failed: image=%s error=%s", reference, e.getClass().getSimpleName());
            recorder.imageResolution("error");
            return CompletableFuture.completedFuture(
                    new ImageFacts.Unavailable("inspection failed: " + e.getClass().getSimpleName()));
        }
    }

    /** A warm image's facts when they are final (its layers all judged, nothing found), counted as a hit; else null. */
    private ImageFacts.Resolved reusedClean(Warm warm, Recorder recorder) {
        ImageFacts.Resolved clean = warm.clean().get();
        if (clean != null) {
            recorder.imageResolution("hit");
            layerScans.reused(warm.layerCount());
        }
        return clean;
    }

    private static PlatformSelector selector(ImageRequest request) {
        return request == null || request.platforms() == null ? PlatformSelector.ANY_LINUX : request.platforms();
    }

    /** Where a request's resolution is counted: nowhere for the start-up warm-up, which is not a review. */
    private Recorder recorder(ImageRequest request) {
        return request == null || request.measured() ? recorder : Recorder.NONE;
    }

    private String scope(PlatformSelector selector, ImageRequest request) {
        String scope = new TreeSet<>(selector.os()) + "/" + new TreeSet<>(selector.architectures()) + "|"
                + credentialScope(request);
        return scope.length() <= 128 ? scope : Digests.sha256(scope.getBytes(StandardCharsets.UTF_8));
    }

    /** Lookups with different credentials must not share a failure (or a flight that fails for lack of them). */
    private String credentialScope(ImageRequest request) {
        if (!usePullSecrets || request == null) {
            return "";
        }
        return request.namespace() + "/" + request.serviceAccount() + "/" + request.imagePullSecrets();
    }

    private CompletableFuture<ImageFacts> resolve(ImageReference ref, ImageRequest request, PlatformSelector selector,
            Trace trace) {
        Target target = new Target(ref.registry(), ref.repository(), request != null && request.background());
        CredentialSource credentials = credentials(request);
        CompletableFuture<String> digest;
        if (ref.digest() != null) {
            digest = CompletableFuture.completedFuture(ref.digest());
        } else {
            digest = tagDigest(target, ref.effectiveTag(), credentials, trace).thenApply(r -> {
                if (r.stale()) {
                    trace.stale = true;
                }
                return r.digest();
            });
        }
        // the session is kept with the facts and serves later layer scans, admission's too: not in the background share
        // (layer scans have their own concurrency and byte rate)
        RepositorySession session = new RepositorySession(client, new Target(ref.registry(), ref.repository()),
                credentials, requestTimeout);
        return digest.thenCompose(d -> manifest(target, d, credentials, trace)
                .thenCompose(m -> facts(target, d, m, selector, credentials, trace)).thenApply(f -> {
                    if (f instanceof ImageFacts.Resolved r) {
                        resolved.put(new ResolvedKey(target.registry(), target.repository(), d, selector),
                                new Warm(r, session));
                    }
                    return f;
                })).thenCompose(f -> withLayerSecrets(f, session, request));
    }

    /** The facts with what the scans of each platform's layers found (from the layer verdict cache, or waited for). */
    private CompletableFuture<ImageFacts> withLayerSecrets(ImageFacts facts, LayerSource source,
            ImageRequest request) {
        if (layerScans == null || layerScans.mode() == LayerScans.Mode.OFF
                || !(facts instanceof ImageFacts.Resolved resolved)) {
            return CompletableFuture.completedFuture(facts);
        }
        long deadline = request == null ? 0 : request.deadlineNanos();
        List<CompletableFuture<PlatformImage>> platforms = resolved.platforms().stream()
                .map(p -> layerScans.secrets(p.verdict().layers(), source, deadline).thenApply(p::withLayerSecrets))
                .toList();
        return CompletableFuture.allOf(platforms.toArray(CompletableFuture[]::new)).thenApply(
                v -> new ImageFacts.Resolved(resolved.digest(), platforms.stream().map(CompletableFuture::join).toList()));
    }

    /**
     * The facts of an image that needs no request now: a digest reference, or a tag checked within its TTL, whose
     * digest was resolved for this platform selection before; null otherwise.
     */
    private Warm warm(ImageReference ref, PlatformSelector selector) {
        long now = clock.millis();
        int set = System.identityHashCode(ref) & (FRONT_SLOTS - 2);
        Warm hit = frontHit(front[set], ref, selector, now);
        if (hit == null) {
            hit = frontHit(front[set + 1], ref, selector, now);
        }
        if (hit != null) {
            return hit;
        }
        String digest = ref.digest();
        long until;
        if (digest == null) {
            TagEntry known = tags.getIfPresent(new TagKey(ref.registry(), ref.repository(), ref.effectiveTag()));
            if (known == null || now >= (until = known.checked().toEpochMilli() + tagTtl.toMillis())) {
                return null;
            }
            digest = known.digest();
        } else {
            until = now + tagTtl.toMillis();
        }
        Warm warm = resolved.getIfPresent(new ResolvedKey(ref.registry(), ref.repository(), digest, selector));
        if (warm != null) {
            // the most recent in the set's first way, the one it displaces in the second
            Front first = front[set];
            if (first != null && first.reference != ref) {
                front[set + 1] = first;
            }
            front[set] = new Front(ref, selector, Math.min(until, now + FRONT_MILLIS), warm);
        }
        return warm;
    }

    private static Warm frontHit(Front f, ImageReference ref, PlatformSelector selector, long now) {
        return f != null && f.reference == ref && now < f.until
                && (f.selector == selector || f.selector.equals(selector)) ? f.get() : null;
    }

    private CompletableFuture<TagResult> tagDigest(Target target, String tag, CredentialSource credentials,
            Trace trace) {
        TagKey key = new TagKey(target.registry(), target.repository(), tag);
        TagEntry known = tags.getIfPresent(key);
        if (known != null && clock.instant().isBefore(known.checked().plus(tagTtl))) {
            return CompletableFuture.completedFuture(new TagResult(known.digest(), false));
        }
        if (known == null) {
            trace.fetched = true;
        } else {
            trace.refreshed = true;
        }
        CompletableFuture<TagResult> mine = new CompletableFuture<>();
        CompletableFuture<TagResult> running = tagFlights.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        CompletableFuture<TagResult> work;
        try {
            work = known == null ? fetchTag(key, target, credentials)
                    : refreshTag(key, known, target, credentials, trace);
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        work.whenComplete((r, e) -> {
            tagFlights.remove(key, mine);
            if (e != null) {
                mine.completeExceptionally(e);
            } else {
                mine.complete(r);
            }
        });
        return mine;
    }

    /** GET by tag: the manifest is needed anyway, and its bytes give the digest. */
    private CompletableFuture<TagResult> fetchTag(TagKey key, Target target, CredentialSource credentials) {
        return client.getManifest(target, key.tag(), MAX_MANIFEST, credentials).thenApply(f -> {
            Manifest m = Manifest.parse(mapper, f.body(), f.contentType());
            String digest = Digests.sha256(f.body());
            manifests.put(new DigestKey(target.registry(), target.repository(), digest), m);
            tags.put(key, new TagEntry(digest, clock.instant()));
            return new TagResult(digest, false);
        });
    }

    /**
     * HEAD by tag, which Docker Hub does not count against pull limits; stale-if-error when it fails, and
     * stale-while-revalidate when it has not answered within half the budget: a registry kept busy by someone else's
     * burst must not make a running image unverified. The check goes on, and its answer serves the next review.
     */
    private CompletableFuture<TagResult> refreshTag(TagKey key, TagEntry known, Target target,
            CredentialSource credentials, Trace trace) {
        CompletableFuture<TagResult> checked = tagChecks.get(key);
        if (checked == null) {
            // one check per tag at a time, also when reviews stopped waiting for it
            CompletableFuture<TagResult> mine = new CompletableFuture<>();
            checked = tagChecks.putIfAbsent(key, mine);
            if (checked == null) {
                checked = mine;
                CompletableFuture<TagResult> work;
                try {
                    work = checkTag(key, known, target, credentials, trace);
                } catch (RuntimeException e) {
                    work = CompletableFuture.failedFuture(e);
                }
                work.whenComplete((r, e) -> {
                    tagChecks.remove(key, mine);
                    if (e != null) {
                        mine.completeExceptionally(e);
                    } else {
                        mine.complete(r);
                    }
                });
            }
        }
        if (checked.isDone()) {
            return checked;
        }
        CompletableFuture<TagResult> out = new CompletableFuture<>();
        long timer = vertx.setTimer(Math.max(1, staleAfter.toMillis()), id -> {
            if (clock.instant().isBefore(known.checked().plus(maxStale)) && !out.isDone()) {
                LOG.debugf("serving a stale digest while its check is slow: image=%s/%s:%s", target.registry(),
                        target.repository(), key.tag());
                out.complete(new TagResult(known.digest(), true));
            }
        });
        checked.whenComplete((r, e) -> {
            vertx.cancelTimer(timer);
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        });
        return out;
    }

    private CompletableFuture<TagResult> checkTag(TagKey key, TagEntry known, Target target,
            CredentialSource credentials, Trace trace) {
        return client.headManifest(target, key.tag(), credentials).handle((digest, e) -> {
            if (e == null) {
                if (digest.isEmpty()) {
                    trace.fetched = true; // no Docker-Content-Digest: the manifest itself is fetched
                    return fetchTag(key, target, credentials);
                }
                if (!digest.get().equals(known.digest())) {
                    LOG.debugf("tag moved: image=%s/%s:%s", target.registry(), target.repository(), key.tag());
                }
                tags.put(key, new TagEntry(digest.get(), clock.instant()));
                return CompletableFuture.completedFuture(new TagResult(digest.get(), false));
            }
            RegistryFailure f = RegistryFailure.of(e);
            if (f.transientFailure() && clock.instant().isBefore(known.checked().plus(maxStale))) {
                LOG.debugf("serving a stale digest: image=%s/%s:%s reason=%s", target.registry(), target.repository(),
                        key.tag(), f.getMessage());
                return CompletableFuture.completedFuture(new TagResult(known.digest(), true));
            }
            return CompletableFuture.<TagResult> failedFuture(f);
        }).thenCompose(Function.identity());
    }

    private CompletableFuture<Manifest> manifest(Target target, String digest, CredentialSource credentials,
            Trace trace) {
        CompletableFuture<Manifest> f = manifests.get(new DigestKey(target.registry(), target.repository(), digest),
                () -> {
                    trace.fetched = true;
                    return client.getManifest(target, digest, MAX_MANIFEST, credentials)
                            .thenApply(fetched -> readManifest(mapper, digest, fetched.body(), fetched.contentType()));
                });
        if (!f.isDone()) {
            trace.fetched = true;
        }
        return f;
    }

    /**
     * The config and its verdict, judged once per config digest (on the worker pool, where the config is parsed), so
     * no review analyses image content again.
     */
    private CompletableFuture<Judged> config(Target target, Manifest.Descriptor d, CredentialSource credentials,
            Trace trace) {
        if (!ConfigParser.imageConfig(d.mediaType())) {
            return CompletableFuture.failedFuture(new RegistryFailure(Kind.INVALID,
                    "not a container image: its config has media type \"" + d.mediaType() + "\""));
        }
        if (d.size() > MAX_CONFIG) {
            return CompletableFuture.failedFuture(new RegistryFailure(Kind.INVALID,
                    "the config blob is larger than " + RegistryHttp.mib(MAX_CONFIG) + " (the limit Customs reads)"));
        }
        CompletableFuture<Judged> f = configs.get(new DigestKey(target.registry(), target.repository(), d.digest()),
                () -> {
                    trace.fetched = true;
                    return client.getBlob(target, d.digest(), MAX_CONFIG, "config blob", credentials)
                            .thenApply(body -> judge(mapper, d.digest(), body));
                });
        if (!f.isDone()) {
            trace.fetched = true;
        }
        return f;
    }

    private CompletableFuture<ImageFacts> facts(Target target, String digest, Manifest manifest,
            PlatformSelector selector, CredentialSource credentials, Trace trace) {
        if (manifest instanceof Manifest.Image image) {
            return config(target, image.config(), credentials, trace)
                    .thenApply(j -> new ImageFacts.Resolved(digest, List.of(platformImage(image, j))));
        }
        Manifest.Index index = (Manifest.Index) manifest;
        List<CompletableFuture<PlatformImage>> platforms = new ArrayList<>();
        for (Entry e : select(index, selector)) {
            platforms.add(manifest(target, e.digest(), credentials, trace).thenCompose(m -> {
                Manifest.Image child = child(e, m);
                return config(target, child.config(), credentials, trace)
                        .thenApply(j -> platformImage(index, e, child, j));
            }));
        }
        return CompletableFuture.allOf(platforms.toArray(CompletableFuture[]::new)).thenApply(
                v -> new ImageFacts.Resolved(digest, platforms.stream().map(CompletableFuture::join).toList()));
    }

    /** A manifest fetched by its digest: the digest verified, then the body parsed. */
    private static Manifest readManifest(ObjectMapper mapper, String digest, byte[] body, String contentType) {
        Digests.verify(digest, body, "manifest");
        return Manifest.parse(mapper, body, contentType);
    }

    /** A config blob fetched by its digest: the digest verified, the body parsed, and the config judged. */
    private static Judged judge(ObjectMapper mapper, String digest, byte[] body) {
        Digests.verify(digest, body, "config blob");
        ImageConfig config = ConfigParser.parse(mapper, body);
        return new Judged(config, ConfigVerdict.judge(config));
    }

    /** The manifest an index entry names, which must be an image manifest. */
    private static Manifest.Image child(Entry e, Manifest m) {
        if (!(m instanceof Manifest.Image child)) {
            throw new RegistryFailure(Kind.INVALID, "the index entry for " + e.platform() + " is itself an index");
        }
        return child;
    }

    /** An image with no index: the platform its config names, its annotations, the judged config and the layers. */
    private static PlatformImage platformImage(Manifest.Image image, Judged j) {
        return PlatformImage.of(j.config().platform(), j.config(), j.verdict(), image.annotations(), layers(image));
    }

    /**
     * One platform's image of an index: the platform its entry names, the index's and the manifest's annotations, the
     * judged config and the layers.
     */
    private static PlatformImage platformImage(Manifest.Index index, Entry e, Manifest.Image image, Judged j) {
        Map<String, String> annotations = new LinkedHashMap<>(index.annotations());
        annotations.putAll(image.annotations());
        return PlatformImage.of(e.platform(), j.config(), j.verdict(), annotations, layers(image));
    }

    /**
     * Runs, {@code rounds} times, what a cache miss runs, on a built-in multi-platform image ({@link WarmUpImage}), so
     * that the JIT has compiled it before the first real miss; those steps run only on a miss, so the admission
     * warm-up, whose image is never fetched, leaves them to the interpreter, and the first cold reviews after a start
     * paid for it. The whole miss, HTTP exchanges included ({@link #warmUpExchanges}); and, for the rounds those did not
     * run (the loopback registry failed), without any I/O what runs once the registry has answered: the digests
     * verified, an index and its manifests parsed, the platforms selected, the configs parsed and judged (the
     * {@code leaked-secret} scan included). Nothing of it stays in this
     * inspector's caches or is counted in the metrics, and no registry outside the process is contacted; a warm-up that
     * stops early says why in a warning.
     */
    @Override
    public void warmUp(int rounds) {
        WarmUpImage image = WarmUpImage.make(mapper);
        // a round over HTTP parses and judges too: without I/O only the rounds the exchanges did not run
        for (int i = warmUpExchanges(image, rounds); i < rounds && !Thread.currentThread().isInterrupted(); i++) {
            warmUpOnce(image);
        }
    }

    /**
     * Resolves the built-in image {@code rounds} times, each time under a new repository name so nothing is served
     * from a cache, through an inspector of its own (same code, its own caches, connections and threads, which are
     * closed after), from a {@link WarmUpRegistry} on a loopback port: the requests, the connection pool, the answers
     * read and handed to the workers, the single flights, the tag's digest checked, and the facts assembled. About five
     * exchanges a round: a tag, two platform manifests, two configs. Returns the rounds that resolved the image; the
     * first that does not, or that takes longer than {@link #warmUpRoundLimit}, ends the warm-up with a warning.
     */
    int warmUpExchanges(WarmUpImage image, int rounds) {
        return warmUpExchanges(image, rounds, warmUpRoundLimit());
    }

    /**
     * How long a warm-up round may take: its three dependent exchanges (tag, manifests, configs) at the request timeout
     * each, and as much again for a start-up that has the CPU busy.
     */
    private Duration warmUpRoundLimit() {
        return requestTimeout.multipliedBy(6);
    }

    int warmUpExchanges(WarmUpImage image, int rounds, Duration roundLimit) {
        int done = 0;
        String stopped = null;
        try (WarmUpRegistry registry = WarmUpRegistry.start(image, warmUpRoundLimit());
                RegistryImageInspector loopback = new RegistryImageInspector(WarmUpRegistry.config(config, registry
                        .authority()), vertx, mapper, () -> {
                            throw new IllegalStateException("the warm-up reads no pull secrets");
                        }, Recorder.NONE, clock, HostResolver.SYSTEM, null)) {
            for (; done < rounds; done++) {
                ImageReference reference = ImageReference.parse(registry.authority() + "/warm-up/" + done + ":1.0");
                CompletableFuture<ImageFacts> round = loopback.inspect(reference, null).toCompletableFuture();
                ImageFacts facts;
                try {
                    facts = round.get(roundLimit.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    stopped = "a round took longer than " + roundLimit.toMillis() + " ms";
                    // its exchanges end at their own deadlines: let them, before their client is closed under them
                    try {
                        round.get(warmUpRoundLimit().toMillis(), TimeUnit.MILLISECONDS);
                    } catch (TimeoutException | ExecutionException still) {
                        // closed under it then
                    }
                    break;
                }
                if (!(facts instanceof ImageFacts.Resolved)) {
                    stopped = facts instanceof ImageFacts.Unavailable u ? u.reason() : String.valueOf(facts);
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // Customs is stopping: nothing to warn about
            return done;
        } catch (IOException | ExecutionException | RuntimeException e) {
            stopped = e.toString();
        }
        if (stopped != null) {
            LOG.warnf("warm-up of registry misses over Customs' own loopback registry stopped after %s of %s rounds: "
                    + "%s; the first cold reviews may be slow", Integer.valueOf(done), Integer.valueOf(rounds),
                    stopped);
        }
        return done;
    }

    /** One round of {@link #warmUp}: the facts a miss would compute for the built-in image. */
    ImageFacts.Resolved warmUpOnce(WarmUpImage image) {
        Manifest.Index index = (Manifest.Index) readManifest(mapper, image.indexDigest(), image.body(image
                .indexDigest()), RegistryClient.OCI_INDEX);
        List<PlatformImage> platforms = new ArrayList<>();
        for (Entry e : select(index, PlatformSelector.ANY_LINUX)) {
            Manifest.Image child = child(e, readManifest(mapper, e.digest(), image.body(e.digest()), e.mediaType()));
            Judged j = judge(mapper, child.config().digest(), image.body(child.config().digest()));
            platforms.add(platformImage(index, e, child, j));
        }
        return new ImageFacts.Resolved(image.indexDigest(), platforms);
    }

    private static List<Layer> layers(Manifest.Image image) {
        List<Layer> out = new ArrayList<>(image.layers().size());
        for (Manifest.Descriptor d : image.layers()) {
            out.add(new Layer(d.digest(), d.size(), d.mediaType()));
        }
        return out;
    }

    /**
     * The index entries to evaluate: image manifests for a known platform that the pod can run on; with no
     * architecture constraint, narrowed to the configured platforms when the image has any of them.
     */
    private List<Entry> select(Manifest.Index index, PlatformSelector selector) {
        Map<String, Entry> byPlatform = new LinkedHashMap<>();
        for (Entry e : index.manifests()) {
            Platform p = e.platform();
            if (e.imageManifest() && p != null && !p.os().isEmpty() && !p.os().equals("unknown")) {
                byPlatform.putIfAbsent(p.toString(), e);
            }
        }
        if (byPlatform.isEmpty()) {
            throw new RegistryFailure(Kind.INVALID, "the image index lists no image manifest for any platform");
        }
        List<Entry> matching = byPlatform.values().stream().filter(e -> selector.matches(e.platform())).toList();
        if (selector.architectures().isEmpty() && !preferred.isEmpty()) {
            List<Entry> narrowed = matching.stream().filter(e -> preferred.stream().anyMatch(p -> p.os()
                    .equals(e.platform().os()) && p.architecture().equals(e.platform().architecture())
                    && (p.variant() == null || p.variant().equals(e.platform().variant())))).toList();
            if (!narrowed.isEmpty()) {
                matching = narrowed;
            }
        }
        if (matching.isEmpty()) {
            throw new RegistryFailure(Kind.INVALID, "the image has no manifest for " + selector.describe()
                    + ", which the pod's node constraints require (it has " + String.join(", ", byPlatform.keySet())
                    + ")");
        }
        return matching;
    }

    private CredentialSource credentials(ImageRequest request) {
        if (pullSecrets == null && authFile == null) {
            return CredentialSource.NONE;
        }
        Supplier<CompletableFuture<List<DockerAuths>>> fromPod = memoize(() -> pullSecrets == null || request == null
                ? CompletableFuture.completedFuture(List.of())
                : pullSecrets.forPod(request.namespace(), request.imagePullSecrets(), request.serviceAccount()));
        return (host, repository) -> fromPod.get().thenApplyAsync(sets -> {
            for (DockerAuths a : sets) {
                Optional<Credentials> c = a.lookup(host, repository);
                if (c.isPresent()) {
                    return c;
                }
            }
            return authFile == null ? Optional.<Credentials> empty() : authFile.lookup(host, repository);
        }, workers);
    }

    private static <T> Supplier<T> memoize(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = s.get();
                }
                return value;
            }
        };
    }

    static Platform platform(String spec) {
        String[] parts = spec.strip().split("/");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException(
                    "customs.registry.platforms: \"" + spec + "\" is not os/architecture[/variant], e.g. linux/amd64");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    private static List<String> hosts(String key, List<String> values) {
        return values.stream().map(String::strip).filter(v -> !v.isEmpty()).map(v -> configuredHost(key, v)).toList();
    }

    /**
     * A configured registry, mirror or host, {@code host[:port]} (a mirror may add {@code http://} or
     * {@code https://}); fails start-up when it is not one. Credentials written into it ({@code user:password@host})
     * are refused without repeating them: they would show in the log line above and in failure reasons, and Customs
     * takes credentials only from the auth file and pull secrets.
     */
    static String configuredHost(String key, String value) {
        String v = value.strip();
        String rest = v.regionMatches(true, 0, "http://", 0, 7) ? v.substring(7)
                : v.regionMatches(true, 0, "https://", 0, 8) ? v.substring(8) : v;
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            throw new IllegalArgumentException(key + ": the entry for " + authority.substring(at + 1) + " carries "
                    + "credentials (user:password@host); write host[:port] and put the credentials in "
                    + "customs.registry.auth-file");
        }
        String host = authority;
        int colon = authority.lastIndexOf(':');
        if (!authority.endsWith("]") && colon >= 0) {
            host = authority.substring(0, colon);
            if (!authority.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException(key + ": \"" + authority + "\" is not host[:port]");
            }
        }
        String why = AddressGuard.unusable(AddressGuard.normalizeHost(host));
        if (why != null) {
            throw new IllegalArgumentException(key + ": \"" + authority + "\" is not host[:port]: " + why);
        }
        return v;
    }

    private static Set<String> lower(List<String> values) {
        return values.stream().map(v -> v.strip().toLowerCase(Locale.ROOT)).filter(v -> !v.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static String unquote(String key) {
        return key.length() > 1 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1)
                : key;
    }

    /** The JVM's default trust anchors plus the certificates of {@code caFile}. */
    static TrustOptions trust(Path caFile) {
        try {
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (var tm : defaults.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        store.setCertificateEntry("default-" + i++, c);
                    }
                }
            }
            try (InputStream in = Files.newInputStream(caFile)) {
                int added = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-file-" + added++, c);
                }
                if (added == 0) {
                    throw new IllegalArgumentException("customs.registry.ca-file " + caFile + " holds no certificate");
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return TrustOptions.wrap(tmf);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "customs.registry.ca-file " + caFile + " cannot be read as PEM certificates: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        http.close();
        workers.shutdownNow();
    }
}
