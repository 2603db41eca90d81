package dev.customs.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.policy.Action;
import dev.customs.policy.Decision;
import dev.customs.rules.ImageUnverified;
import dev.customs.rules.RuleRegistry;

/** The three output formats of {@code customs check}: text for people, JSON for scripts, SARIF for code scanning. */
final class Reports {

    private static final String RED = "\u001b[31m";
    private static final String YELLOW = "\u001b[33m";
    private static final String DIM = "\u001b[2m";
    private static final String BOLD = "\u001b[1m";
    private static final String RESET = "\u001b[0m";

    private Reports() {
    }

    static String summary(Checker.Result r) {
        long enforce = count(r, Action.ENFORCE);
        long warn = count(r, Action.WARN);
        long audit = count(r, Action.AUDIT);
        long dockerfiles = r.checked().stream().filter(c -> c.kind().equals(DockerfileInput.KIND)).count();
        long objects = r.checked().size() - dockerfiles;
        return (dockerfiles == 0 ? "" : dockerfiles + " Dockerfile" + (dockerfiles == 1 ? "" : "s") + " and ")
                + objects + " object" + (objects == 1 ? "" : "s") + " checked, " + r.skipped().size() + " skipped; "
                + (enforce + warn + audit) + " finding" + (enforce + warn + audit == 1 ? "" : "s") + " (" + enforce
                + " enforce, " + warn + " warn, " + audit + " audit)";
    }

    private static long count(Checker.Result r, Action a) {
        return r.checked().stream().flatMap(c -> c.decision().effective().stream()).filter(f -> f.action() == a)
                .count();
    }

    static void text(Checker.Result r, PrintStream out, boolean colour) {
        String file = null;
        for (Checker.Checked c : r.checked()) {
            List<Decision.Finding> findings = c.decision().effective();
            if (findings.isEmpty()) {
                continue;
            }
            if (!c.document().file().equals(file)) {
                file = c.document().file();
                out.println(colour ? BOLD + file + RESET : file);
            }
            String where = "  " + c.document().file() + ":" + c.document().line() + " " + c.kind() + " "
                    + (c.namespace().isEmpty() ? "" : c.namespace() + "/") + c.name();
            out.println(colour ? DIM + where + RESET : where);
            for (Decision.Finding f : findings) {
                String tag = f.action() == Action.ENFORCE ? "deny " : f.action() == Action.WARN ? "warn " : "audit";
                Checker.Location at = c.location(f);
                String line = "    " + tag + " " + (at == null ? ""
                        : c.document().file() + ":" + at.line() + ":"
                                + at.column() + " ")
                        + f.message();
                if (colour) {
                    line = (f.action() == Action.ENFORCE ? RED : YELLOW) + line + RESET;
                }
                out.println(line);
            }
        }
        out.println(summary(r));
    }

    static ObjectNode json(Checker.Result r, ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        ArrayNode objects = root.putArray("objects");
        for (Checker.Checked c : r.checked()) {
            ObjectNode o = objects.addObject();
            o.put("file", c.document().file());
            o.put("line", c.document().line());
            o.put("kind", c.kind());
            o.put("namespace", c.namespace());
            o.put("name", c.name());
            o.put("allowed", c.decision().allowed());
            ArrayNode fs = o.putArray("findings");
            for (Decision.Finding f : c.decision().findings()) {
                ObjectNode x = fs.addObject();
                x.put("rule", f.rule());
                x.put("action", f.actionLabel());
                x.put("field", f.field());
                Checker.Location at = c.location(f);
                if (at != null) {
                    x.put("line", at.line());
                    x.put("column", at.column());
                }
                if (f.container() != null) {
                    x.put("container", f.container());
                }
                if (f.image() != null) {
                    x.put("image", f.image());
                }
                if (f.exempted()) {
                    x.put("exemption", f.exemption());
                }
                x.put("message", f.message());
            }
        }
        ArrayNode skipped = root.putArray("skipped");
        r.skipped().forEach(d -> skipped.addObject().put("file", d.file()).put("line", d.line())
                .put("kind", d.object().path("kind").asText("")));
        ObjectNode summary = root.putObject("summary");
        summary.put("objects", r.checked().size());
        summary.put("skipped", r.skipped().size());
        summary.put("enforce", count(r, Action.ENFORCE));
        summary.put("warn", count(r, Action.WARN));
        summary.put("audit", count(r, Action.AUDIT));
        summary.put("text", summary(r));
        return root;
    }

    /**
     * SARIF 2.1.0: one result per finding, located where its field is when that is known (a Dockerfile's instruction),
     * else at the object's first line in its file.
     */
    static ObjectNode sarif(Checker.Result r, ObjectMapper json, String version) {
        ObjectNode root = json.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "customs");
        driver.put("version", version);
        driver.put("informationUri", "https://customs.dev");
        Set<String> used = new TreeSet<>();
        r.checked().forEach(c -> c.decision().effective().forEach(f -> used.add(f.rule())));
        Map<String, Integer> index = new LinkedHashMap<>();
        ArrayNode rules = driver.putArray("rules");
        for (String id : RuleRegistry.IDS) {
            if (used.contains(id)) {
                index.put(id, index.size());
                rules.addObject().put("id", id).putObject("shortDescription").put("text", DESCRIPTIONS.get(id));
            }
        }
        if (used.contains(ImageUnverified.ID)) {
            index.put(ImageUnverified.ID, index.size());
            rules.addObject().put("id", ImageUnverified.ID).putObject("shortDescription").put("text",
                    "The image could not be inspected, so image rules could not decide");
        }
        ArrayNode results = run.putArray("results");
        for (Checker.Checked c : r.checked()) {
            for (Decision.Finding f : c.decision().effective()) {
                ObjectNode res = results.addObject();
                res.put("ruleId", f.rule());
                res.put("ruleIndex", index.get(f.rule()));
                res.put("level", f.action() == Action.ENFORCE ? "error" : f.action() == Action.WARN ? "warning" : "note");
                res.putObject("message").put("text", f.message());
                ObjectNode loc = res.putArray("locations").addObject();
                ObjectNode phys = loc.putObject("physicalLocation");
                phys.putObject("artifactLocation").put("uri", uri(c.document().file()));
                Checker.Location at = c.location(f);
                ObjectNode region = phys.putObject("region");
                if (at != null) {
                    region.put("startLine", at.line()).put("startColumn", at.column());
                } else {
                    region.put("startLine", Math.max(1, c.document().line()));
                }
                loc.putArray("logicalLocations").addObject()
                        .put("fullyQualifiedName", c.kind() + "/" + c.name() + "/" + f.field()).put("kind", "object");
            }
        }
        return root;
    }

    private static String uri(String file) {
        return file.equals("-") ? "stdin" : file.replace('\\', '/');
    }

    private static final Map<String, String> DESCRIPTIONS = Map.of("run-as-root",
            "A container's effective user is root", "non-root-conflict",
            "runAsNonRoot is set but the image user is root or not numeric, so the kubelet refuses to start it",
            "host-network", "The pod uses the node's network namespace", "docker-socket",
            "A hostPath volume exposes a container runtime socket", "latest-tag",
            "An image is not pinned: tag latest, no tag, or an invalid reference", "oci-labels",
            "An image lacks required org.opencontainers.image labels", "shell-form-entrypoint",
            "PID 1 is a shell or package manager that does not forward signals", "leaked-secret",
            "An image carries a credential in its Env or build history", "image-size",
            "An image's compressed size is over the configured limit", "base-image",
            "An image records its base image by a tag without a digest");
}
