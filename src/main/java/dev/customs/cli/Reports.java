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

/**
 * The three output formats of {@code customs check}: text for people, JSON for scripts, SARIF for code scanning. Each
 * finding is placed at the line and column of its field (in a Dockerfile, of the instruction or argument behind it); a finding
 * an exemption covers is shown as exempted, with the
 * exemption's name and reason (in SARIF, as a suppressed result).
 */
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
        long exempted = exempted(r);
        long dockerfiles = dockerfiles(r);
        long objects = r.checked().size() - dockerfiles;
        long findings = enforce + warn + audit;
        String s = (dockerfiles == 0 ? "" : dockerfiles + " Dockerfile" + (dockerfiles == 1 ? "" : "s") + " and ")
                + objects + " object" + (objects == 1 ? "" : "s") + " checked, " + r.skipped().size() + " skipped";
        if (!r.problems().isEmpty()) {
            s += ", " + r.problems().size() + " input error" + (r.problems().size() == 1 ? "" : "s");
        }
        return s + "; " + findings + " finding" + (findings == 1 ? "" : "s") + " (" + enforce + " enforce, " + warn
                + " warn, " + audit + " audit)" + (exempted == 0 ? "" : ", " + exempted + " exempted");
    }

    private static long count(Checker.Result r, Action a) {
        return r.checked().stream().flatMap(c -> c.decision().effective().stream()).filter(f -> f.action() == a)
                .count();
    }

    private static long dockerfiles(Checker.Result r) {
        return r.checked().stream().filter(c -> c.kind().equals(DockerfileInput.KIND)).count();
    }

    private static long exempted(Checker.Result r) {
        return r.checked().stream().mapToLong(c -> c.decision().exempted().size()).sum();
    }

    private static String label(Decision.Finding f) {
        if (f.exempted()) {
            return "exempt";
        }
        return switch (f.action()) {
            case ENFORCE -> "deny";
            case WARN -> "warn";
            default -> "audit";
        };
    }

    /** The findings, grouped by object; the summary line is printed by the caller, after any input errors. */
    static void text(Checker.Result r, PrintStream out, boolean colour) {
        for (Checker.Checked c : r.checked()) {
            List<Decision.Finding> findings = c.decision().findings();
            if (findings.isEmpty()) {
                continue;
            }
            ManifestReader.Document d = c.document();
            String where = d.file() + ":" + d.locations().start().line() + ": " + c.kind() + " "
                    + (c.namespace().isEmpty() ? "" : c.namespace() + "/") + c.name();
            out.println(colour ? BOLD + where + RESET : where);
            for (Decision.Finding f : findings) {
                Locations.Position at = d.locations().of(f.field());
                String line = "  " + d.file() + ":" + at.line() + ":" + at.column() + ": "
                        + String.format("%-6s", label(f)) + " " + f.message();
                if (f.exempted()) {
                    String reason = r.reason(f.exemption());
                    line += " (exempted by \"" + f.exemption() + "\"" + (reason.isEmpty() ? "" : ": " + reason) + ")";
                }
                if (colour) {
                    line = (f.exempted() ? DIM : f.action() == Action.ENFORCE ? RED : YELLOW) + line + RESET;
                }
                out.println(line);
            }
        }
    }

    static ObjectNode json(Checker.Result r, ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        ArrayNode objects = root.putArray("objects");
        for (Checker.Checked c : r.checked()) {
            ObjectNode o = objects.addObject();
            ManifestReader.Document d = c.document();
            o.put("file", d.file());
            o.put("line", d.locations().start().line());
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
                Locations.Position at = d.locations().of(f.field());
                x.put("line", at.line());
                x.put("column", at.column());
                if (f.container() != null) {
                    x.put("container", f.container());
                }
                if (f.image() != null) {
                    x.put("image", f.image());
                }
                if (f.exempted()) {
                    x.put("exemption", f.exemption());
                    x.put("reason", r.reason(f.exemption()));
                }
                x.put("message", f.message());
            }
        }
        ArrayNode skipped = root.putArray("skipped");
        r.skipped().forEach(d -> skipped.addObject().put("file", d.file()).put("line", d.line())
                .put("kind", d.object().path("kind").asText("")));
        ArrayNode errors = root.putArray("errors");
        for (Problem p : r.problems()) {
            errors.addObject().put("file", p.file()).put("line", p.line()).put("column", p.column())
                    .put("message", p.message());
        }
        ObjectNode summary = root.putObject("summary");
        summary.put("objects", r.checked().size() - dockerfiles(r));
        summary.put("dockerfiles", dockerfiles(r));
        summary.put("skipped", r.skipped().size());
        summary.put("errors", r.problems().size());
        summary.put("enforce", count(r, Action.ENFORCE));
        summary.put("warn", count(r, Action.WARN));
        summary.put("audit", count(r, Action.AUDIT));
        summary.put("exempted", exempted(r));
        summary.put("text", summary(r));
        return root;
    }

    /**
     * SARIF 2.1.0: one result per finding at its field's line and column; exempted findings carry an accepted external
     * suppression with the exemption's reason; input errors are tool execution notifications.
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
        r.checked().forEach(c -> c.decision().findings().forEach(f -> used.add(f.rule())));
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
        ObjectNode invocation = run.putArray("invocations").addObject();
        invocation.put("executionSuccessful", r.problems().isEmpty());
        if (!r.problems().isEmpty()) {
            ArrayNode notes = invocation.putArray("toolExecutionNotifications");
            for (Problem p : r.problems()) {
                ObjectNode n = notes.addObject();
                n.put("level", "error");
                n.putObject("message").put("text", p.message());
                ObjectNode phys = n.putArray("locations").addObject().putObject("physicalLocation");
                phys.putObject("artifactLocation").put("uri", uri(p.file()));
                if (p.line() > 0) {
                    ObjectNode region = phys.putObject("region").put("startLine", p.line());
                    if (p.column() > 0) {
                        region.put("startColumn", p.column());
                    }
                }
            }
        }
        ArrayNode results = run.putArray("results");
        for (Checker.Checked c : r.checked()) {
            ManifestReader.Document d = c.document();
            for (Decision.Finding f : c.decision().findings()) {
                ObjectNode res = results.addObject();
                res.put("ruleId", f.rule());
                res.put("ruleIndex", index.get(f.rule()));
                res.put("level", f.action() == Action.ENFORCE ? "error" : f.action() == Action.WARN ? "warning" : "note");
                res.putObject("message").put("text", f.message());
                ObjectNode loc = res.putArray("locations").addObject();
                ObjectNode phys = loc.putObject("physicalLocation");
                phys.putObject("artifactLocation").put("uri", uri(d.file()));
                Locations.Position at = d.locations().of(f.field());
                ObjectNode region = phys.putObject("region").put("startLine", Math.max(1, at.line()));
                if (at.column() > 0) {
                    region.put("startColumn", at.column());
                }
                loc.putArray("logicalLocations").addObject()
                        .put("fullyQualifiedName", c.kind() + "/" + c.name() + "/" + f.field()).put("kind", "object");
                if (f.exempted()) {
                    ObjectNode s = res.putArray("suppressions").addObject();
                    s.put("kind", "external");
                    s.put("status", "accepted");
                    String reason = r.reason(f.exemption());
                    s.put("justification", "exemption \"" + f.exemption() + "\"" + (reason.isEmpty() ? ""
                            : ": " + reason));
                    s.putObject("properties").put("exemption", f.exemption());
                }
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
            "An image is not pinned: a moving tag such as latest, no tag, or an invalid reference", "oci-labels",
            "An image lacks required org.opencontainers.image labels", "shell-form-entrypoint",
            "PID 1 is a shell or package manager that does not forward signals", "leaked-secret",
            "An image carries a credential in its Env or build history", "image-size",
            "An image's compressed size is over the configured limit", "base-image",
            "An image records its base image by a tag without a digest");
}
