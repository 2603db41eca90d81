package dev.customs.rules;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference parsed with the distribution grammar: {@code [host[:port]/]path[:tag][@digest]}.
 *
 * <p>
 * Parsing follows {@code github.com/distribution/reference}: the first path component is a registry host only when it
 * contains a {@code .} or a {@code :}, or is {@code localhost}; otherwise the image lives on Docker Hub and a
 * single-component path gets the {@code library/} prefix. So {@code localhost:5000/app} has a port and no tag, and
 * {@code nginx} normalises to {@code docker.io/library/nginx}. Parsing never throws: {@link #parse} returns an invalid
 * reference that carries the reason.
 *
 * @param original the reference as written in the pod spec
 * @param registry the registry host (with port), {@code docker.io} for Docker Hub; null when invalid
 * @param repository the repository path, with {@code library/} added for official Docker Hub images; null when invalid
 * @param tag the tag, or null when none was written
 * @param digest the digest ({@code sha256:...}), or null when none was written
 * @param error why the reference is invalid, or null when it is valid
 */
public record ImageReference(String original, String registry, String repository, String tag, String digest,
        String error) {

    public static final String DOCKER_HUB = "docker.io";

    /*
     * The grammar's parts, checked by hand rather than by regular expressions (every review parses each image it
     * names); ImageReferenceGrammarTest holds each to the expression it implements:
     * domain (?:C(?:\.C)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)? with C = [a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
     * component [a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*
     * tag [\w][\w.-]{0,127}
     * sha256 sha256:[0-9a-f]{64}
     * The general digest, rare, keeps its expression.
     */
    private static final Pattern DIGEST = Pattern
            .compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");
    private static final int NAME_TOTAL_LENGTH_MAX = 255;

    /** How many parsed references are remembered (two ways of half as many sets), and the longest remembered. */
    static final int MEMO_SLOTS = 256;
    static final int MEMO_MAX_CHARS = 512;
    /**
     * References parsed before: a review's images are mostly those of the reviews before it. A remembered reference is
     * also the same instance every time, whose parts' hash codes are computed already, for the look-ups of its tag and
     * digest. Racy by design: a reference is immutable (final fields only), so a slot read is either one whose original
     * equals the asked reference, or no hit.
     */
    private static final ImageReference[] MEMO = new ImageReference[MEMO_SLOTS];

    /** Parses a reference; never throws. A null or blank reference is invalid. */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.length() > MEMO_MAX_CHARS) {
            return parseNew(reference);
        }
        int h = reference.hashCode();
        int set = (h ^ (h >>> 16)) & (MEMO_SLOTS - 2);
        ImageReference first = MEMO[set];
        if (first != null && first.original.equals(reference)) {
            return first;
        }
        ImageReference second = MEMO[set + 1];
        if (second != null && second.original.equals(reference)) {
            return second;
        }
        ImageReference parsed = parseNew(reference);
        // the newest in the first way, the one it displaces in the second
        MEMO[set + 1] = first;
        MEMO[set] = parsed;
        return parsed;
    }

    private static ImageReference parseNew(String reference) {
        if (reference == null || reference.isBlank()) {
            return invalid(reference, "the image reference is empty");
        }
        if (!reference.equals(reference.strip())) {
            return invalid(reference, "the image reference has leading or trailing whitespace");
        }
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!sha256(digest)) {
                if (!DIGEST.matcher(digest).matches()) {
                    return invalid(reference,
                            "\"" + digest + "\" is not a valid digest (expected sha256:<64 hex digits>)");
                }
                if (digest.startsWith("sha256:")) {
                    return invalid(reference, "a sha256 digest must be 64 lowercase hex digits");
                }
            }
        }
        String tag = null;
        int lastColon = rest.lastIndexOf(':');
        int lastSlash = rest.lastIndexOf('/');
        if (lastColon > lastSlash) {
            tag = rest.substring(lastColon + 1);
            rest = rest.substring(0, lastColon);
            if (!tag(tag)) {
                return invalid(reference, "\"" + tag + "\" is not a valid tag");
            }
        }
        if (rest.isEmpty()) {
            return invalid(reference, "the image reference has no repository name");
        }
        if (rest.length() > NAME_TOTAL_LENGTH_MAX) {
            return invalid(reference, "the repository name is longer than 255 characters");
        }
        String registry;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase(Locale.ROOT)))) {
            registry = first;
            path = rest.substring(slash + 1);
            if (!domain(registry)) {
                return invalid(reference, "\"" + registry + "\" is not a valid registry host");
            }
        } else {
            registry = DOCKER_HUB;
            path = rest;
        }
        for (String component : path.split("/", -1)) {
            if (!component(component)) {
                String why = component.equals(component.toLowerCase(Locale.ROOT))
                        ? "\"" + component + "\" is not a valid repository path component"
                        : "repository names must be lowercase (\"" + component + "\")";
                return invalid(reference, why);
            }
        }
        String canonicalRegistry = registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")
                ? DOCKER_HUB
                : registry;
        if (canonicalRegistry.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        return new ImageReference(reference, canonicalRegistry, path, tag, digest, null);
    }

    /** {@code sha256:[0-9a-f]{64}} */
    static boolean sha256(String s) {
        if (s.length() != 71 || !s.startsWith("sha256:")) {
            return false;
        }
        for (int i = 7; i < 71; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean word(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** {@code [\w][\w.-]{0,127}} */
    static boolean tag(String s) {
        int n = s.length();
        if (n == 0 || n > 128 || !word(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!word(c) && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean lowerAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    /** {@code [a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*} */
    static boolean component(String s) {
        int n = s.length();
        int i = 0;
        while (true) {
            int run = i;
            while (i < n && lowerAlnum(s.charAt(i))) {
                i++;
            }
            if (i == run) {
                return false;
            }
            if (i == n) {
                return true;
            }
            int sep = i;
            while (i < n && !lowerAlnum(s.charAt(i))) {
                i++;
            }
            if (i == n || !separator(s, sep, i)) {
                return false;
            }
        }
    }

    /** {@code [._]|__|-+} */
    private static boolean separator(String s, int from, int to) {
        char first = s.charAt(from);
        if (to - from == 1 && (first == '.' || first == '_')) {
            return true;
        }
        if (to - from == 2 && first == '_' && s.charAt(from + 1) == '_') {
            return true;
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean alnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** {@code (?:C(?:\.C)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?} with {@code C} a label: letters, digits, inner hyphens. */
    static boolean domain(String s) {
        int n = s.length();
        int end;
        if (n > 0 && s.charAt(0) == '[') {
            end = s.indexOf(']');
            if (end < 2) {
                return false;
            }
            for (int i = 1; i < end; i++) {
                char c = s.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':')) {
                    return false;
                }
            }
            end++;
        } else {
            int colon = s.indexOf(':');
            end = colon < 0 ? n : colon;
            int label = 0;
            for (int i = 0; i <= end; i++) {
                if (i == end || s.charAt(i) == '.') {
                    if (i == label || s.charAt(label) == '-' || s.charAt(i - 1) == '-') {
                        return false;
                    }
                    label = i + 1;
                } else if (!alnum(s.charAt(i)) && s.charAt(i) != '-') {
                    return false;
                }
            }
        }
        if (end == n) {
            return true;
        }
        if (s.charAt(end) != ':' || end + 1 == n) {
            return false;
        }
        for (int i = end + 1; i < n; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static ImageReference invalid(String reference, String why) {
        return new ImageReference(reference, null, null, null, null, why);
    }

    public boolean valid() {
        return error == null;
    }

    public Optional<String> tagOpt() {
        return Optional.ofNullable(tag);
    }

    /**
     * The fully qualified form, {@code docker.io/library/nginx:1.25}, with the tag and digest as written. An untagged,
     * undigested reference stays untagged here: {@code latest} is implied only when resolving.
     */
    public String normalized() {
        if (!valid()) {
            return original;
        }
        StringBuilder sb = new StringBuilder(registry).append('/').append(repository);
        if (tag != null) {
            sb.append(':').append(tag);
        }
        if (digest != null) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }

    /** The repository as written, without tag or digest: {@code nginx} for {@code nginx:latest}. */
    public String writtenName() {
        String s = original;
        if (digest != null) {
            s = s.substring(0, s.length() - digest.length() - 1);
        }
        if (tag != null) {
            s = s.substring(0, s.length() - tag.length() - 1);
        }
        return s;
    }

    /** The tag a registry is asked for: the written tag, or {@code latest} when neither tag nor digest was given. */
    public String effectiveTag() {
        return tag != null ? tag : (digest == null ? "latest" : null);
    }

    /**
     * True when the tag is {@code latest} (case-sensitive, as tags are) or neither tag nor digest was given, and no
     * digest pins it.
     */
    public boolean floating() {
        if (digest != null) {
            return false;
        }
        return tag == null || tag.equals("latest");
    }

    @Override
    public String toString() {
        return original;
    }
}
