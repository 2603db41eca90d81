package dev.customs.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code leaked-secret}: an image that carries a credential in its configuration. Anyone who can pull the image can
 * read its {@code Env} and {@code history} ({@code docker history --no-trunc}), so a token passed as a build argument
 * or set with {@code ENV} is published with the image.
 *
 * <p>
 * Reads the image config's {@code Env} and {@code history[].created_by}: build arguments recorded as
 * {@code |1 NPM_TOKEN=... /bin/sh -c ...}, and {@code ENV}/{@code ARG} instructions with a value. A finding is a name
 * ending in {@code TOKEN}, {@code SECRET}, {@code PASSWORD}, {@code PASSWD}, {@code API_KEY}, {@code ACCESS_KEY} or
 * {@code PRIVATE_KEY} with a non-empty literal value, or a well-known token shape anywhere (npm {@code npm_…}, GitHub
 * {@code ghp_…}, AWS {@code AKIA…}, {@code _authToken=…}, ...). {@code TOKEN_FILE=/path} and {@code ARG NPM_TOKEN}
 * without a value pass. Findings show names and places, never values.
 *
 * <p>
 * The scan of the config ({@link #scan}) is part of the image's {@link ConfigVerdict}, judged once per config digest;
 * a review only reads its result.
 */
public final class LeakedSecret implements Rule {

    public static final String ID = "leaked-secret";

    private static final List<String> SECRET_SUFFIXES = List.of("TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY",
            "ACCESS_KEY", "PRIVATE_KEY");

    /**
     * Token shapes, each with how a message names it and literals of which every match contains one: the pattern runs
     * only on text that contains one, which spares most of the regular-expression work done on every image config of
     * every review.
     */
    private static final List<Shape> SHAPES = List.of(
            new Shape("an npm token (npm_…)", List.of("npm_"),
                    Pattern.compile("(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])")),
            new Shape("a GitHub token (gh?_…)", List.of("gh", "github_pat_"),
                    Pattern.compile("(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{40,255})")),
            new Shape("an AWS access key id (AKIA…)", List.of("AKIA", "ASIA"),
                    Pattern.compile("(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])")),
            new Shape("an npm registry _authToken", List.of("_authToken"),
                    Pattern.compile("_authToken\\s*=\\s*[^\\s\"'$][^\\s\"']*")),
            new Shape("a GitLab token (glpat-…)", List.of("glpat-"), Pattern.compile("glpat-[A-Za-z0-9_-]{20,}")),
            new Shape("a Slack token (xox?-…)", List.of("xox"), Pattern.compile("xox[abposr]-[A-Za-z0-9-]{10,}")),
            new Shape("a private key", List.of("PRIVATE KEY-----"), Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----")));

    private static final Pattern BUILD_ARGS = Pattern.compile("^(?:RUN\\s+)?\\|(\\d+)\\s+(.*)$", Pattern.DOTALL);
    private static final Pattern ENV_OR_ARG = Pattern
            .compile("(?:^|#\\(nop\\)\\s+)(ENV|ARG)\\s+(.+)$", Pattern.DOTALL);
    private static final Pattern INLINE_ASSIGNMENT = Pattern
            .compile("(?:^|[\\s;&|(])(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|[^\\s;&|)]+)");
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_.-]*)=(\"[^\"]*\"|'[^']*'|\\S*)");

    private record Shape(String name, List<String> literals, Pattern pattern) {

        boolean foundIn(String text) {
            for (String l : literals) {
                if (text.contains(l)) {
                    return pattern.matcher(text).find();
                }
            }
            return false;
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean readsImage() {
        return true;
    }

    @Override
    public void evaluate(PodView pod, ImageLookup images, Findings out) {
        PlatformGroups.eachImage(pod, images, out, p -> {
            List<ImageVerdict.Secret> found = p.verdict().secrets();
            return found.isEmpty() ? Optional.empty() : Optional.of(found);
        }, (c, g) -> out.violation(c, c.field("image"),
                c.subject() + " carries " + (g.outcome().size() > 1 ? "credentials" : "a credential")
                        + " in its configuration" + g.suffix() + ": "
                        + g.outcome().stream().map(ImageVerdict.Secret::description).collect(Collectors.joining("; ")),
                "pass secrets with BuildKit secret mounts (RUN --mount=type=secret,id=npm ...) instead of "
                        + "ARG or ENV, rebuild the image, and revoke the exposed credential"));
    }

    /**
     * Every credential in a config, described as {@code NAME in Env} / {@code ... in history[3] (build argument)}, with
     * where it was found; no values. The image-content half of this rule: it runs once per config digest, when the
     * {@link ConfigVerdict} is judged, never per review.
     */
    static List<ImageVerdict.Secret> scan(ImageConfig config) {
        Map<String, ImageVerdict.Secret> found = new LinkedHashMap<>();
        List<String> env = config.env();
        for (int i = 0; i < env.size(); i++) {
            String entry = env.get(i);
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            String value = eq < 0 ? "" : entry.substring(eq + 1);
            int at = i;
            if (secretName(name) && literal(value)) {
                add(found, name + " in Env", ImageVerdict.Where.ENV, at);
            } else {
                shape(value).ifPresent(s -> add(found, s + " in Env " + name, ImageVerdict.Where.ENV, at));
            }
        }
        List<ImageConfig.History> history = config.history();
        for (int i = 0; i < history.size(); i++) {
            String createdBy = history.get(i).createdBy();
            String where = " in history[" + i + "]";
            int at = i;
            List<String> names = secretAssignments(createdBy);
            names.forEach(n -> add(found, n + where, ImageVerdict.Where.HISTORY, at));
            if (names.isEmpty()) {
                shape(createdBy).ifPresent(s -> add(found, s + where, ImageVerdict.Where.HISTORY, at));
            }
        }
        return new ArrayList<>(found.values());
    }

    private static void add(Map<String, ImageVerdict.Secret> found, String description, ImageVerdict.Where where,
            int index) {
        found.putIfAbsent(description, new ImageVerdict.Secret(description, where, index));
    }

    /**
     * Names assigned a literal secret in one history entry: build arguments ({@code |1 NPM_TOKEN=x ...}), {@code ENV}
     * and {@code ARG} with a value (also the legacy {@code ENV NAME value}), and inline assignments in a {@code RUN}
     * command ({@code NPM_TOKEN=x npm ci}, {@code export API_KEY=x}).
     */
    private static List<String> secretAssignments(String createdBy) {
        List<String> names = new ArrayList<>();
        String rest = createdBy.strip();
        Matcher args = BUILD_ARGS.matcher(rest);
        if (rest.indexOf('|') >= 0 && args.matches()) {
            int count = args.group(1).length() > 4 ? 0 : Integer.parseInt(args.group(1));
            String list = args.group(2);
            Matcher a = ASSIGNMENT.matcher(list);
            int seen = 0;
            int pos = 0;
            while (seen < count && a.find(pos) && a.start() == pos) {
                if (secretName(a.group(1)) && literal(unquote(a.group(2)))) {
                    names.add(a.group(1) + " (build argument)");
                }
                seen++;
                pos = a.end();
                while (pos < list.length() && Character.isWhitespace(list.charAt(pos))) {
                    pos++;
                }
            }
            rest = list.substring(pos);
        }
        boolean instruction = rest.contains("ENV") || rest.contains("ARG");
        if (!instruction && rest.indexOf('=') < 0) {
            return names; // neither an ENV/ARG instruction nor an assignment
        }
        Matcher inst = ENV_OR_ARG.matcher(rest.startsWith("/bin/sh -c ") ? rest.substring("/bin/sh -c ".length()) : rest);
        if (instruction && inst.find()) {
            String kind = inst.group(1);
            String body = inst.group(2).strip();
            String[] parts = body.split("\\s+", 2);
            if (!parts[0].contains("=")) {
                // legacy form: ENV NAME value (the value may contain '='); ARG NAME without a value is fine
                if (kind.equals("ENV") && parts.length == 2 && secretName(parts[0]) && literal(parts[1])) {
                    names.add(parts[0] + " (ENV)");
                }
                return names;
            }
            Matcher a = ASSIGNMENT.matcher(body);
            while (a.find()) {
                if (secretName(a.group(1)) && literal(unquote(a.group(2)))) {
                    names.add(a.group(1) + " (" + kind + ")");
                }
            }
            return names;
        }
        Matcher inline = INLINE_ASSIGNMENT.matcher(rest);
        while (inline.find()) {
            if (secretName(inline.group(1)) && literal(unquote(inline.group(2)))) {
                names.add(inline.group(1) + " (RUN command)");
            }
        }
        return names;
    }

    static boolean secretName(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        for (String suffix : SECRET_SUFFIXES) {
            if (n.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean literal(String value) {
        String v = value.strip();
        return !v.isEmpty() && !v.startsWith("$");
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    private static Optional<String> shape(String text) {
        for (Shape s : SHAPES) {
            if (s.foundIn(text)) {
                return Optional.of(s.name());
            }
        }
        return Optional.empty();
    }
}
