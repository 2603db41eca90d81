package dev.customs.image.registry;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import dev.customs.image.registry.RegistryFailure.Kind;
import dev.customs.image.registry.RegistryHttp.Exchange;
import dev.customs.image.registry.RegistryHttp.Reply;
import io.vertx.core.http.HttpMethod;

/**
 * The OCI distribution API, as much of it as reading an image needs: {@code HEAD} and {@code GET} of manifests and
 * {@code GET} of blobs, for one repository on one registry.
 *
 * <p>
 * Each call tries the registry's mirrors in order, then the registry itself. Authentication follows the registry's
 * {@code WWW-Authenticate} challenge: bearer tokens from the token realm (sent our basic credentials when we have some)
 * are cached until they expire, per realm, service, scope and credentials; basic credentials are sent as they are. The
 * challenge a host answered is remembered, so later requests authenticate up front instead of collecting a 401 each;
 * it is learnt again when the host answers with another one, or when authenticating with it fails (a token realm that
 * moved or went away).
 * Redirects are followed up to {@link #MAX_REDIRECTS}; {@code Authorization} goes only to the host it was made for,
 * never to the blob store or CDN a registry redirects to, and a redirect from HTTPS to plain HTTP is refused.
 */
final class RegistryClient {

    private static final Logger LOG = Logger.getLogger(RegistryClient.class);

    static final int MAX_REDIRECTS = 5;
    /** Hosts whose authentication challenge is remembered. */
    static final int MAX_HOSTS = 1024;
    static final long MAX_TOKEN_RESPONSE = 1024 * 1024;
    static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String ACCEPT_MANIFESTS = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);

    /**
     * A repository on a registry, as named in the image reference ({@code docker.io}, {@code library/nginx});
     * {@code background} when the requests are the audit's, which take only the background share of a host's
     * connections ({@link RegistryHttp#BACKGROUND_CONNECTIONS}).
     */
    record Target(String registry, String repository, boolean background) {
        Target(String registry, String repository) {
            this(registry, repository, false);
        }
    }

    /** A manifest as fetched: its bytes and the media type the registry declared. */
    record Fetched(byte[] body, String contentType, String dockerContentDigest) {
    }

    private record TokenKey(String realm, String service, String scope, String credentials) {
    }

    private record Token(String value, Duration lifetime) {
        @Override
        public String toString() {
            return "Token[<redacted>]";
        }
    }

    private final RegistryHttp http;
    private final ObjectMapper mapper;
    private final Set<String> insecure;
    private final Map<String, List<String>> mirrors;
    private final Executor workers;
    /** The challenge each host answered; hosts come from pod specs, so the most recent are kept, not all. */
    private final Cache<String, Challenge> challenges;
    private final SingleFlight<TokenKey, Token> tokens;

    /**
     * @param insecure authorities ({@code host} or {@code host:port}) spoken to over plain HTTP
     * @param mirrors mirror authorities per registry, as it appears in references ({@code docker.io})
     */
    RegistryClient(RegistryHttp http, ObjectMapper mapper, Set<String> insecure, Map<String, List<String>> mirrors,
            Executor workers, Ticker ticker) {
        this.http = http;
        this.mapper = mapper;
        this.insecure = insecure;
        this.mirrors = mirrors;
        this.workers = workers;
        this.challenges = Caffeine.newBuilder().maximumSize(MAX_HOSTS).executor(workers).build();
        this.tokens = new SingleFlight<>(Caffeine.newBuilder().maximumSize(10_000).executor(workers).ticker(ticker)
                .expireAfter(new Expiry<TokenKey, Token>() {
                    @Override
                    public long expireAfterCreate(TokenKey key, Token token, long currentTime) {
                        // renew a little early, so a token never expires between our check and the registry's
                        Duration life = token.lifetime().minusSeconds(5);
                        return Math.max(0, life.toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(TokenKey key, Token token, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, token, currentTime);
                    }

                    @Override
                    public long expireAfterRead(TokenKey key, Token token, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                }).build());
    }

    /** The digest a tag points at, from {@code Docker-Content-Digest}; empty when the registry does not send it. */
    CompletableFuture<Optional<String>> headManifest(Target target, String tag, CredentialSource credentials) {
        return withMirrors(target, ep -> call(ep, target, HttpMethod.HEAD, manifestPath(target, tag), ACCEPT_MANIFESTS,
                0, "manifest", credentials))
                .thenApply(r -> Optional.ofNullable(r.header("Docker-Content-Digest")).map(String::strip)
                        .filter(d -> d.startsWith("sha256:") || d.startsWith("sha512:")));
    }

    CompletableFuture<Fetched> getManifest(Target target, String reference, long cap, CredentialSource credentials) {
        return withMirrors(target, ep -> call(ep, target, HttpMethod.GET, manifestPath(target, reference),
                ACCEPT_MANIFESTS, cap, "manifest", credentials))
                .thenApply(r -> new Fetched(r.body(), r.header("Content-Type"), r.header("Docker-Content-Digest")));
    }

    CompletableFuture<byte[]> getBlob(Target target, String digest, long cap, String what,
            CredentialSource credentials) {
        return withMirrors(target, ep -> call(ep, target, HttpMethod.GET,
                "/v2/" + target.repository() + "/blobs/" + digest, "*/*", cap, what, credentials))
                .thenApply(Reply::body);
    }

    /**
     * A blob's bytes as a stream, read on the caller's thread: redirects to blob storage are followed (without our
     * {@code Authorization}), and the caller must close the stream. The digest is not checked here.
     */
    CompletableFuture<InputStream> openBlob(Target target, String digest, String what, CredentialSource credentials) {
        return withMirrors(target, ep -> call(ep, target, HttpMethod.GET,
                "/v2/" + target.repository() + "/blobs/" + digest, "*/*", Long.MAX_VALUE, what, credentials, true))
                .thenApply(Reply::stream);
    }

    private static String manifestPath(Target target, String reference) {
        return "/v2/" + target.repository() + "/manifests/" + reference;
    }

    /** The authorities spoken to over plain HTTP, as configured. */
    Set<String> insecure() {
        return insecure;
    }

    /** The mirror authorities per registry, as configured. */
    Map<String, List<String>> mirrors() {
        return mirrors;
    }

    /** The endpoints of a registry in the order they are tried: mirrors, then the registry itself. */
    List<Endpoint> endpoints(String registry) {
        List<Endpoint> out = new ArrayList<>();
        for (String m : mirrors.getOrDefault(registry, List.of())) {
            out.add(Endpoint.of(m, isInsecure(m)));
        }
        String upstream = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        out.add(Endpoint.of(upstream, isInsecure(upstream)));
        return out;
    }

    private boolean isInsecure(String authority) {
        String a = authority.toLowerCase(Locale.ROOT);
        if (insecure.contains(a)) {
            return true;
        }
        int colon = a.lastIndexOf(':');
        return colon > 0 && !a.contains("]") && insecure.contains(a.substring(0, colon));
    }

    private CompletableFuture<Reply> withMirrors(Target target, Function<Endpoint, CompletableFuture<Reply>> call) {
        List<Endpoint> endpoints = endpoints(target.registry());
        CompletableFuture<Reply> result = call.apply(endpoints.get(0));
        for (int i = 1; i < endpoints.size(); i++) {
            Endpoint next = endpoints.get(i);
            Endpoint failed = endpoints.get(i - 1);
            result = result.handle((r, e) -> {
                if (e == null) {
                    return CompletableFuture.completedFuture(r);
                }
                LOG.debugf("mirror failed, trying the next endpoint: registry=%s mirror=%s reason=%s",
                        target.registry(), failed, RegistryFailure.of(e).getMessage());
                return call.apply(next);
            }).thenCompose(Function.identity());
        }
        return result;
    }

    private CompletableFuture<Reply> call(Endpoint ep, Target target, HttpMethod method, String path, String accept,
            long cap, String what, CredentialSource credentials) {
        return call(ep, target, method, path, accept, cap, what, credentials, false);
    }

    /** One API call on one endpoint, authenticated as the endpoint demands, with redirects followed. */
    private CompletableFuture<Reply> call(Endpoint ep, Target target, HttpMethod method, String path, String accept,
            long cap, String what, CredentialSource credentials, boolean stream) {
        URI uri = ep.uri(path);
        Challenge known = challenges.getIfPresent(ep.authority());
        CompletableFuture<Optional<String>> auth = known == null ? CompletableFuture.completedFuture(Optional.empty())
                : authorization(known, ep, target, credentials, false).exceptionally(e -> {
                    // The challenge this host answered before no longer works: its token service moved, is gone or
                    // refuses. Forget it and ask without credentials; the 401 then teaches the current challenge.
                    challenges.asMap().remove(ep.authority(), known);
                    LOG.debugf("remembered challenge failed, learning it again: registry=%s reason=%s",
                            target.registry(), RegistryFailure.of(e).getMessage());
                    return Optional.empty();
                });
        return auth.thenCompose(a -> follow(method, uri, accept, a.orElse(null), cap, what, target, stream))
                .thenCompose(reply -> {
                    if (reply.status() != 401 || !sameOrigin(reply.uri(), uri)) {
                        return CompletableFuture.completedFuture(reply);
                    }
                    Optional<Challenge> challenge = Challenge.parse(reply.header("WWW-Authenticate"));
                    if (challenge.isEmpty() || !(challenge.get().bearer() || challenge.get().basic())) {
                        throw new RegistryFailure(Kind.UNAUTHORIZED, ep + " requires authentication ("
                                + (challenge.isEmpty() ? "no challenge" : challenge.get().scheme()) + ") Customs cannot do");
                    }
                    challenges.put(ep.authority(), challenge.get());
                    return authorization(challenge.get(), ep, target, credentials, known != null)
                            .thenCompose(a -> {
                                if (a.isEmpty()) {
                                    throw noCredentials(ep);
                                }
                                return follow(method, uri, accept, a.get(), cap, what, target, stream);
                            }).thenCompose(again -> again.status() != 401
                                    ? CompletableFuture.completedFuture(again)
                                    : credentials.lookup(ep.authority(), target.repository()).thenApply(c -> {
                                        throw c.isPresent()
                                                ? new RegistryFailure(Kind.UNAUTHORIZED, ep + " refused the credentials"
                                                        + " Customs has for " + target.repository() + " (HTTP 401)")
                                                : noCredentials(ep);
                                    }));
                }).thenApply(reply -> check(reply, ep, target, what));
    }

    private Reply check(Reply reply, Endpoint ep, Target target, String what) {
        int s = reply.status();
        if (s / 100 == 2) {
            return reply;
        }
        String code = errorCode(reply);
        String at = " (" + ep + " answered HTTP " + s + (code.isEmpty() ? "" : " " + code) + ")";
        if (s == 401 || s == 403) {
            throw new RegistryFailure(Kind.UNAUTHORIZED, "access to " + target.repository() + " was refused" + at);
        }
        if (s == 404) {
            throw new RegistryFailure(Kind.NOT_FOUND, "the " + what + " was not found" + at);
        }
        throw new RegistryFailure(s == 429 || s / 100 == 5 ? Kind.UNAVAILABLE : Kind.INVALID,
                "the registry could not serve the " + what + at);
    }

    /** The first error code of a distribution error body ({@code MANIFEST_UNKNOWN}), or "". */
    private String errorCode(Reply reply) {
        if (reply.body() == null || reply.body().length == 0) {
            return "";
        }
        try {
            JsonNode errors = mapper.readTree(reply.body()).path("errors");
            String code = errors.path(0).path("code").asText("");
            return code.matches("[A-Z_]{1,64}") ? code : "";
        } catch (Exception e) {
            return "";
        }
    }

    private static RegistryFailure noCredentials(Endpoint ep) {
        return new RegistryFailure(Kind.UNAUTHORIZED, ep + " requires authentication and Customs has no credentials "
                + "for it (set customs.registry.auth-file, or use-pull-secrets and the pod's imagePullSecrets)");
    }

    /** The Authorization header for a challenge, or empty when it needs credentials we do not have. */
    private CompletableFuture<Optional<String>> authorization(Challenge challenge, Endpoint ep, Target target,
            CredentialSource credentials, boolean renew) {
        return credentials.lookup(ep.authority(), target.repository()).thenCompose(creds -> {
            if (challenge.basic()) {
                return CompletableFuture.completedFuture(creds.map(Credentials::basicHeader));
            }
            String realm = challenge.param("realm");
            if (realm == null || realm.isEmpty()) {
                throw new RegistryFailure(Kind.UNAUTHORIZED, ep + " sent a bearer challenge without a realm");
            }
            String service = challenge.param("service") == null ? "" : challenge.param("service");
            String scope = "repository:" + target.repository() + ":pull";
            TokenKey key = new TokenKey(realm, service, scope, creds.map(Credentials::cacheKey).orElse(""));
            if (renew) {
                tokens.invalidate(key);
            }
            return tokens.get(key, () -> fetchToken(key, ep, target, creds))
                    .thenApply(t -> Optional.of("Bearer " + t.value()));
        });
    }

    private CompletableFuture<Token> fetchToken(TokenKey key, Endpoint ep, Target target,
            Optional<Credentials> creds) {
        URI realm;
        try {
            realm = URI.create(key.realm());
        } catch (IllegalArgumentException e) {
            return CompletableFuture
                    .failedFuture(new RegistryFailure(Kind.UNAUTHORIZED, ep + " sent an unusable token realm"));
        }
        if (realm.getHost() == null || !("https".equals(realm.getScheme())
                || ("http".equals(realm.getScheme()) && (ep.scheme().equals("http") || isInsecure(host(realm)))))) {
            return CompletableFuture.failedFuture(new RegistryFailure(Kind.REFUSED, "refused the token realm of " + ep
                    + ": it must be https (or a host listed in customs.registry.insecure-registries)"));
        }
        StringBuilder q = new StringBuilder();
        if (!key.service().isEmpty()) {
            q.append("service=").append(URLEncoder.encode(key.service(), StandardCharsets.UTF_8)).append('&');
        }
        q.append("scope=").append(URLEncoder.encode(key.scope(), StandardCharsets.UTF_8));
        URI uri = URI.create(realm + (realm.getRawQuery() == null ? "?" : "&") + q);
        Map<String, String> headers = new HashMap<>();
        headers.put("Accept", "application/json");
        creds.ifPresent(c -> headers.put("Authorization", c.basicHeader()));
        return http.send(new Exchange(HttpMethod.GET, uri, headers, MAX_TOKEN_RESPONSE, "token response",
                target.registry(), false, target.background())).thenApply(reply -> {
                    if (reply.status() == 401 || reply.status() == 403) {
                        throw new RegistryFailure(Kind.UNAUTHORIZED, "the token service of " + ep + " refused "
                                + (creds.isPresent() ? "the credentials" : "anonymous access") + " (HTTP "
                                + reply.status() + ")");
                    }
                    if (reply.status() / 100 != 2) {
                        throw new RegistryFailure(reply.status() / 100 == 5 || reply.status() == 429
                                ? Kind.UNAVAILABLE
                                : Kind.UNAUTHORIZED,
                                "the token service of " + ep + " failed (HTTP " + reply.status()
                                        + ")");
                    }
                    try {
                        JsonNode n = mapper.readTree(reply.body());
                        String token = n.path("token").asText("");
                        if (token.isEmpty()) {
                            token = n.path("access_token").asText("");
                        }
                        if (token.isEmpty()) {
                            throw new RegistryFailure(Kind.UNAUTHORIZED,
                                    "the token service of " + ep + " answered without a token");
                        }
                        long expires = n.path("expires_in").asLong(0);
                        return new Token(token, expires > 0 ? Duration.ofSeconds(expires) : DEFAULT_TOKEN_LIFETIME);
                    } catch (java.io.IOException e) {
                        throw new RegistryFailure(Kind.UNAUTHORIZED,
                                "the token service of " + ep + " answered something that is not JSON");
                    }
                });
    }

    /** Sends a request and follows redirects; {@code authorization} goes to the original origin only. */
    private CompletableFuture<Reply> follow(HttpMethod method, URI uri, String accept, String authorization, long cap,
            String what, Target target, boolean stream) {
        return follow(method, uri, uri, accept, authorization, cap, what, target, stream, 0);
    }

    private CompletableFuture<Reply> follow(HttpMethod method, URI origin, URI uri, String accept,
            String authorization, long cap, String what, Target target, boolean stream, int redirects) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Accept", accept);
        if (authorization != null && sameOrigin(origin, uri)) {
            headers.put("Authorization", authorization);
        }
        Exchange exchange = new Exchange(method, uri, headers, cap, what, target.registry(), stream, target.background());
        return http.send(exchange).thenCompose(reply -> {
            int s = reply.status();
            if (!(s == 301 || s == 302 || s == 303 || s == 307 || s == 308)) {
                return CompletableFuture.completedFuture(reply);
            }
            String location = reply.header("Location");
            if (location == null || location.isBlank()) {
                throw new RegistryFailure(Kind.INVALID, host(uri) + " redirected without a location");
            }
            if (redirects >= MAX_REDIRECTS) {
                throw new RegistryFailure(Kind.UNAVAILABLE,
                        "more than " + MAX_REDIRECTS + " redirects fetching the " + what + " from " + host(origin));
            }
            URI next;
            try {
                next = uri.resolve(location.strip());
            } catch (IllegalArgumentException e) {
                throw new RegistryFailure(Kind.INVALID, host(uri) + " redirected to an invalid location");
            }
            if (next.getHost() == null || !("https".equals(next.getScheme()) || "http".equals(next.getScheme()))) {
                throw new RegistryFailure(Kind.INVALID, host(uri) + " redirected to an unsupported location");
            }
            if ("https".equals(uri.getScheme()) && "http".equals(next.getScheme())) {
                throw new RegistryFailure(Kind.REFUSED,
                        "refused a redirect from https to plain http (" + host(uri) + " to " + host(next) + ")");
            }
            LOG.debugf("registry redirect: registry=%s from=%s to=%s", target.registry(), host(uri), host(next));
            return follow(method, origin, next, accept, authorization, cap, what, target, stream, redirects + 1);
        });
    }

    /** Scheme, host and port equal: only then may an Authorization header go along. */
    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : ("https".equalsIgnoreCase(u.getScheme()) ? 443 : 80);
    }

    private static String host(URI uri) {
        return RegistryHttp.host(uri);
    }
}
