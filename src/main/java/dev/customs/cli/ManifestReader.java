package dev.customs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads Kubernetes objects from one manifest file or standard input: multi-document YAML, JSON, {@code List} objects
 * (as {@code kubectl get -o yaml} and {@code helm template} produce them) and the object of an AdmissionReview, each
 * with where every one of its fields is written, so findings point at the field.
 *
 * <p>
 * A file that cannot be read is a {@link Problem} at the line and column of the mistake, in the user's words; the
 * objects before it are still returned. A file that is an un-rendered Helm template says so and how to render it. A
 * key written twice in one mapping is an error, as it is for {@code kubectl}.
 */
final class ManifestReader {

    /** The most one file may hold; a manifest bundle of CRDs is a few MiB. */
    static final int MAX_FILE = 64 * 1024 * 1024;

    /** One object, where it was read from, and where its fields are. */
    record Document(String file, int line, JsonNode object, Locations locations) {
    }

    /** What one file gave: its objects, and what was wrong with it (if anything). */
    record Read(List<Document> documents, List<Problem> problems) {
    }

    /**
     * Helm's own objects and functions in a template action: {@code {{ .Values.image }}}, {@code {{ include "x" . }}}.
     * Rendered manifests keep other templates as data (an Alertmanager {@code {{ if .Labels.severity }}}, a
     * Prometheus {@code {{ $labels.instance }}}), so only these mark a file that parses as an un-rendered template.
     */
    private static final Pattern HELM_ONLY = Pattern.compile("\\{\\{-?\\s*(?:\\$?\\.(?:Values|Release|Chart|"
            + "Capabilities|Files|Template)\\b|include\\s+\"|tpl\\s|required\\s+\"|toYaml\\s+\\.Values)");
    /** Template actions of any kind, or Helm's whitespace trimming, in a file that does not parse. */
    private static final Pattern TEMPLATE_ACTION = Pattern.compile("\\{\\{-|\\{\\{\\s*(?:\\.|\\$|if\\s|range\\s|with\\s|"
            + "end\\s*}}|include\\s|define\\s|template\\s|toYaml\\s)");

    private final YAMLFactory yaml;
    private final ObjectMapper mapper;

    ManifestReader() {
        this.yaml = yamlFactory();
        this.mapper = new ObjectMapper(yaml);
    }

    /** The YAML factory of manifests and configuration files: duplicate keys refused, files up to the cap. */
    static YAMLFactory yamlFactory() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_FILE);
        YAMLFactory f = YAMLFactory.builder().loaderOptions(options).build();
        f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return f;
    }

    static ObjectMapper yamlMapper() {
        return new ObjectMapper(yamlFactory());
    }

    /** Reads one file's bytes, at most {@link #MAX_FILE}. */
    static byte[] readCapped(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_FILE + 1);
        if (bytes.length > MAX_FILE) {
            throw new IOException("larger than " + MAX_FILE / (1024 * 1024) + " MiB, more than customs check reads");
        }
        return bytes;
    }

    Read read(String name, byte[] content) {
        List<Document> docs = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        try (JsonParser p = yaml.createParser(content)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                JsonLocation at = p.currentTokenLocation();
                Map<String, Locations.Position> positions = new HashMap<>();
                JsonNode node = tree(p, "", positions);
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                if (t != JsonToken.START_OBJECT) {
                    problems.add(new Problem(name, at.getLineNr(), at.getColumnNr(),
                            "expected a Kubernetes object (a mapping with apiVersion and kind), found "
                                    + (node.isArray() ? "a list" : "a single value")));
                    continue;
                }
                add(docs, name, new Locations.Position(at.getLineNr(), at.getColumnNr()), node, positions);
            }
        } catch (JsonProcessingException e) {
            problems.add(helmTemplate(name, content) ? helmProblem(name, e) : YamlErrors.problem(name, e));
            return new Read(docs, problems);
        } catch (IOException e) {
            problems.add(Problem.of(name, "cannot be read: " + e.getMessage()));
            return new Read(docs, problems);
        }
        for (Document d : docs) {
            if (containsHelmAction(d.object())) {
                problems.add(helmProblem(name, null));
                return new Read(List.of(), problems);
            }
        }
        return new Read(docs, problems);
    }

    /** The tree at the parser's current token, recording where each field and list item is written. */
    private JsonNode tree(JsonParser p, String path, Map<String, Locations.Position> positions) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                String child = path.isEmpty() ? name : path + "." + name;
                positions.put(child, position(p.currentTokenLocation()));
                p.nextToken();
                o.set(name, tree(p, child, positions));
            }
            return o;
        }
        if (t == JsonToken.START_ARRAY) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String child = path + "[" + i++ + "]";
                positions.put(child, position(p.currentTokenLocation()));
                a.add(tree(p, child, positions));
            }
            return a;
        }
        return mapper.readTree(p);
    }

    private static Locations.Position position(JsonLocation l) {
        return new Locations.Position(l.getLineNr(), l.getColumnNr());
    }

    private static void add(List<Document> docs, String name, Locations.Position start, JsonNode node,
            Map<String, Locations.Position> positions) {
        String kind = node.path("kind").asText("");
        if (kind.equals("AdmissionReview") && node.path("request").path("object").isObject()) {
            Locations.Position at = positions.getOrDefault("request.object", start);
            docs.add(new Document(name, at.line(), node.get("request").get("object"),
                    new Locations(positions, "request.object", at)));
            return;
        }
        if (kind.endsWith("List") && node.path("items").isArray()) {
            int i = 0;
            for (JsonNode item : node.get("items")) {
                String prefix = "items[" + i++ + "]";
                if (item.isObject()) {
                    Locations.Position at = positions.getOrDefault(prefix, start);
                    docs.add(new Document(name, at.line(), item, new Locations(positions, prefix, at)));
                }
            }
            return;
        }
        docs.add(new Document(name, start.line(), node, new Locations(positions, "", start)));
    }

    /** True when a file that did not parse holds Helm template actions. */
    private static boolean helmTemplate(String name, byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        return text.contains("{{") && TEMPLATE_ACTION.matcher(text).find();
    }

    private static boolean containsHelmAction(JsonNode node) {
        if (node.isTextual()) {
            String s = node.textValue();
            return s.contains("{{") && HELM_ONLY.matcher(s).find();
        }
        for (JsonNode child : node) {
            if (containsHelmAction(child)) {
                return true;
            }
        }
        if (node.isObject()) {
            var names = node.fieldNames();
            while (names.hasNext()) {
                String key = names.next();
                if (key.contains("{{") && HELM_ONLY.matcher(key).find()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Problem helmProblem(String name, JsonProcessingException e) {
        String message = "an un-rendered Helm template ({{ … }} is filled in by helm, it is not YAML yet): render "
                + "it first, e.g. helm template my-release " + chartHint(name) + " | customs check -";
        if (e != null && e.getLocation() != null) {
            Problem at = YamlErrors.problem(name, e);
            return new Problem(name, at.line(), at.column(), message);
        }
        return Problem.of(name, message);
    }

    /** The chart directory a template lives in ({@code charts/app} for {@code charts/app/templates/x.yaml}). */
    private static String chartHint(String file) {
        String f = file.replace('\\', '/');
        int t = f.lastIndexOf("/templates/");
        if (t > 0) {
            return f.substring(0, t);
        }
        return t == 0 ? "." : "CHART";
    }
}
