package dev.customs.image.registry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The registry credentials of a docker {@code config.json} ({@code {"auths": {...}}}) or a legacy {@code .dockercfg}
 * (the {@code auths} map itself), matched the way the kubelet matches them: by registry host, optionally narrowed to a
 * repository path prefix ({@code registry.example.com/team}), the longest match winning, with {@code *.} wildcards for
 * one subdomain label. Docker Hub's spellings ({@code https://index.docker.io/v1/}, {@code docker.io},
 * {@code registry-1.docker.io}) are one host. Entries with only an {@code identitytoken} are ignored.
 */
final class DockerAuths {

    private record Entry(String host, String path, Credentials credentials) {
    }

    static final DockerAuths EMPTY = new DockerAuths(List.of());

    private final List<Entry> entries;

    private DockerAuths(List<Entry> entries) {
        this.entries = entries.stream()
                .sorted(Comparator.comparingInt((Entry e) -> e.host.length() + e.path.length()).reversed()).toList();
    }

    /** Parses a config.json or .dockercfg tree; malformed entries are skipped, never thrown on. */
    static DockerAuths parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            return EMPTY;
        }
        JsonNode auths = root.has("auths") ? root.get("auths") : root;
        if (!auths.isObject()) {
            return EMPTY;
        }
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            credentials(e.getValue()).ifPresent(c -> {
                String[] hostPath = key(e.getKey());
                entries.add(new Entry(hostPath[0], hostPath[1], c));
            });
        }
        return new DockerAuths(entries);
    }

    private static Optional<Credentials> credentials(JsonNode n) {
        if (n == null || !n.isObject()) {
            return Optional.empty();
        }
        String user = text(n, "username");
        String pass = text(n, "password");
        String auth = text(n, "auth");
        if ((user == null || pass == null) && auth != null) {
            try {
                String decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    user = decoded.substring(0, colon);
                    pass = decoded.substring(colon + 1);
                }
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (user == null || user.isEmpty() || pass == null) {
            return Optional.empty();
        }
        return Optional.of(new Credentials(user, pass));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** {@code [host, path]} of a config key, without scheme, Docker Hub's {@code /v1/} or slashes at the ends. */
    private static String[] key(String raw) {
        String k = raw.strip();
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        while (k.endsWith("/")) {
            k = k.substring(0, k.length() - 1);
        }
        int slash = k.indexOf('/');
        String host = canonicalHost(slash < 0 ? k : k.substring(0, slash));
        String path = slash < 0 ? "" : k.substring(slash + 1);
        if (host.equals("docker.io") && (path.equals("v1") || path.equals("v2"))) {
            path = "";
        }
        return new String[] { host, path };
    }

    /** Docker Hub's host names are one; other hosts are lower-cased. */
    static String canonicalHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return switch (h) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> "docker.io";
            default -> h;
        };
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The credentials for a repository on a registry host ({@code host[:port]}), if any entry matches. */
    Optional<Credentials> lookup(String registryHost, String repository) {
        String host = canonicalHost(registryHost);
        for (Entry e : entries) {
            if (hostMatches(e.host, host) && (e.path.isEmpty() || repository.equals(e.path)
                    || repository.startsWith(e.path + "/"))) {
                return Optional.of(e.credentials);
            }
        }
        return Optional.empty();
    }

    private static boolean hostMatches(String pattern, String host) {
        if (pattern.equals(host)) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot + 1).equals(pattern.substring(2));
        }
        return false;
    }
}
