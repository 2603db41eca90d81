package dev.customs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads Kubernetes objects from files, directories (recursively {@code *.yaml}, {@code *.yml}, {@code *.json}) or
 * standard input: multi-document YAML, JSON, {@code List} objects (as {@code kubectl get -o yaml} and
 * {@code helm template} produce them) and the object of an AdmissionReview, each with the file and line it starts on.
 */
final class ManifestReader {

    /** One object and where it was read from. */
    record Document(String file, int line, JsonNode object) {
    }

    private final ObjectMapper yaml;

    ManifestReader(ObjectMapper yaml) {
        this.yaml = yaml;
    }

    static ObjectMapper yamlMapper() {
        return new ObjectMapper(new YAMLFactory());
    }

    /** The files a path stands for: itself, or every manifest under a directory, sorted. */
    static List<Path> expand(Path path) throws InputError {
        if (!Files.exists(path)) {
            throw new InputError(path + ": no such file or directory");
        }
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
            }).sorted().toList();
        } catch (IOException e) {
            throw new InputError(path + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    List<Document> read(String name, InputStream in) throws InputError {
        List<Document> docs = new ArrayList<>();
        try (JsonParser p = yaml.getFactory().createParser(in)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int line = p.currentTokenLocation().getLineNr();
                JsonNode node = yaml.readTree(p);
                if (t != JsonToken.START_OBJECT || node == null || node.isNull()) {
                    if (node != null && !node.isNull() && !node.isMissingNode()) {
                        throw new InputError(name + ":" + line + ": expected a Kubernetes object (a mapping)");
                    }
                    continue;
                }
                add(docs, name, line, node);
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new InputError(name + ":" + line + ": invalid YAML or JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InputError(name + ": cannot be read (" + e.getMessage() + ")");
        }
        return docs;
    }

    private static void add(List<Document> docs, String name, int line, JsonNode node) {
        String kind = node.path("kind").asText("");
        if (kind.equals("AdmissionReview") && node.path("request").path("object").isObject()) {
            docs.add(new Document(name, line, node.get("request").get("object")));
            return;
        }
        if (kind.endsWith("List") && node.path("items").isArray()) {
            for (JsonNode item : node.get("items")) {
                if (item.isObject()) {
                    docs.add(new Document(name, line, item));
                }
            }
            return;
        }
        docs.add(new Document(name, line, node));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
