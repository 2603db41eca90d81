package dev.customs.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.customs.rules.secrets.SecretNames;
import dev.customs.rules.secrets.TokenShapes;

/**
 * {@code leaked-secret}: a credential where anyone who can pull the image, or read the workload, can read it.
 *
 * <p>
 * Reads the image config's {@code Env} and {@code history[].created_by} (build arguments recorded as
 * {@code |1 NPM_TOKEN=... /bin/sh -c ...}, {@code ENV}/{@code ARG} instructions with a value, inline assignments in
 * {@code RUN}), the secret files its layers hold ({@link LayerSecrets}, also files a later layer deleted), and the
 * pod's own {@code env[].value} of every container. A finding is a variable whose name holds a credential
 * ({@link SecretNames}) with a literal value, or a known token shape anywhere ({@link TokenShapes}). References
 * ({@code $X}, {@code valueFrom}), paths, placeholders and switches pass. Findings show names and places, never values.
 *
 * <p>
 * The scan of the config ({@link #scan}) is part of the image's {@link ConfigVerdict}, judged once per config digest;
 * a review only reads its result. The layer files are judged once per layer digest, and the pod's env per review.
 */
public final class LeakedSecret implements Rule {

    public static final String ID = "leaked-secret";

    private static final Pattern BUILD_ARGS = Pattern.compile("^(?:RUN\\s+)?\\|(\\d+)\\s+(.*)$", Pattern.DOTALL);
    private static final Pattern ENV_OR_ARG = Pattern
            .compile("(?:^|#\\(nop\\)\\s+)(ENV|ARG)\\s+(.+)$", Pattern.DOTALL);
    private static final Pattern INLINE_ASSIGNMENT = Pattern
            .compile("(?:^|[\\s;&|(])(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|[^\\s;&|)]+)");
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_.-]*)=(\"[^\"]*\"|'[^']*'|\\S*)");

    /** The longest history instruction a finding quotes. */
    private static final int MAX_INSTRUCTION = 60;

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
        List<ContainerView> containers = pod.containers();
        for (int i = 0; i < containers.size(); i++) { // indexed: an iterator per rule and review is garbage
            ContainerView c = containers.get(i);
            podEnv(c, out);
            ImageFacts facts = images.factsFor(c);
            if (!(facts instanceof ImageFacts.Resolved resolved)) {
                out.unverified(c, facts);
                continue;
            }
            for (PlatformGroups.Group<List<ImageVerdict.Secret>> g : PlatformGroups.of(resolved,
                    p -> nonEmpty(p.verdict().secrets()))) {
                out.violation(c, c.field("image"), c.subject() + " carries "
                        + (g.outcome().size() > 1 ? "credentials" : "a credential") + " in its configuration"
                        + g.suffix() + ": "
                        + descriptions(g.outcome()),
                        "pass secrets with BuildKit secret mounts (RUN --mount=type=secret,id=npm ...) instead of "
                                + "ARG or ENV, rebuild the image, and revoke the exposed credential");
            }
            for (PlatformGroups.Group<List<String>> g : PlatformGroups.of(resolved,
                    p -> nonEmpty(layerFiles(p.layerSecrets())))) {
                out.violation(c, c.field("image"), c.subject() + " carries "
                        + (g.outcome().size() > 1 ? "secret files" : "a secret file") + " in its layers" + g.suffix()
                        + ": " + String.join("; ", g.outcome()),
                        "mount secrets at build time (RUN --mount=type=secret) instead of copying them in: a file "
                                + "deleted by a later layer is still in the image; rebuild the image and revoke the "
                                + "exposed credential");
            }
            List<PlatformImage> platforms = resolved.platforms();
            for (int k = 0; k < platforms.size(); k++) {
                PlatformImage p = platforms.get(k);
                if (p.layerSecrets().status() == LayerSecrets.Status.UNFINISHED) {
                    out.unverified(c, new ImageFacts.Unavailable(p.layerSecrets().reason()));
                    break;
                }
            }
        }
    }

    /** A literal credential in the container's own {@code env}: the pod spec publishes it to whoever reads it. */
    private static void podEnv(ContainerView c, Findings out) {
        List<ContainerView.EnvVar> env = c.env();
        for (int j = 0; j < env.size(); j++) {
            ContainerView.EnvVar e = env.get(j);
            if (e.valueFrom() || e.value() == null || e.value().isBlank()) {
                continue;
            }
            String what;
            if (SecretNames.secretAssignment(e.name(), e.value())) {
                what = "a literal credential";
            } else {
                Optional<TokenShapes.Shape> shape = TokenShapes.first(e.value());
                if (shape.isEmpty()) {
                    continue;
                }
                what = shape.get().description();
            }
            out.violation(c, c.field("env[" + j + "].value"),
                    c.subject() + " sets " + e.name() + " to " + what + " in its env",
                    "store it in a Secret and reference it with valueFrom.secretKeyRef, and revoke the exposed "
                            + "credential");
        }
    }

    /** The secrets' descriptions joined by {@code ; } (a loop: a stream pipeline cost more than the joining). */
    private static String descriptions(List<ImageVerdict.Secret> secrets) {
        StringBuilder b = new StringBuilder(64 * secrets.size());
        for (int i = 0; i < secrets.size(); i++) {
            if (i > 0) {
                b.append("; ");
            }
            b.append(secrets.get(i).description());
        }
        return b.toString();
    }

    private static <T> Optional<List<T>> nonEmpty(List<T> found) {
        return found.isEmpty() ? Optional.empty() : Optional.of(found);
    }

    /** The secret files of a layer scan, as {@code root/.npmrc (an npm token) in layer 2 (COPY ...), deleted later}. */
    static List<String> layerFiles(LayerSecrets secrets) {
        if (secrets.findings().isEmpty()) {
            return List.of(); // what every clean layer gives, on every review: nothing to list or cap
        }
        List<String> out = new ArrayList<>();
        for (LayerSecrets.Finding f : secrets.findings()) {
            String by = f.createdBy().strip();
            by = by.length() > MAX_INSTRUCTION ? by.substring(0, MAX_INSTRUCTION) + "…" : by;
            out.add("/" + f.path() + " (" + f.what() + ") in layer " + f.layer()
                    + (by.isEmpty() ? "" : " (" + by + ")") + (f.deleted() ? ", deleted by a later layer" : ""));
        }
        if (!out.isEmpty() && !secrets.capped().isEmpty()) {
            out.add("layer(s) " + String.join(", ", secrets.capped()) + " scanned only up to the byte cap");
        }
        return out;
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
            if (SecretNames.secretAssignment(name, value)) {
                add(found, name + " in Env", ImageVerdict.Where.ENV, at);
            } else {
                TokenShapes.first(value)
                        .ifPresent(s -> add(found, s.description() + " in Env " + name, ImageVerdict.Where.ENV, at));
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
                TokenShapes.first(createdBy)
                        .ifPresent(s -> add(found, s.description() + where, ImageVerdict.Where.HISTORY, at));
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
                if (SecretNames.secretAssignment(a.group(1), unquote(a.group(2)))) {
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
                if (kind.equals("ENV") && parts.length == 2 && SecretNames.secretAssignment(parts[0], parts[1])) {
                    names.add(parts[0] + " (ENV)");
                }
                return names;
            }
            Matcher a = ASSIGNMENT.matcher(body);
            while (a.find()) {
                if (SecretNames.secretAssignment(a.group(1), unquote(a.group(2)))) {
                    names.add(a.group(1) + " (" + kind + ")");
                }
            }
            return names;
        }
        Matcher inline = INLINE_ASSIGNMENT.matcher(rest);
        while (inline.find()) {
            if (SecretNames.secretAssignment(inline.group(1), unquote(inline.group(2)))) {
                names.add(inline.group(1) + " (RUN command)");
            }
        }
        return names;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
