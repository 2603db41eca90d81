package dev.customs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The AdmissionReview templates of {@code bench/payloads/}: {@code {{registry}}} stands for the registry (and a prefix
 * that makes its images new), {@code {{digest repo:tag}}} for the digest that tag was pushed with. Rendered compact, as
 * the apiserver sends them.
 */
final class Payloads {

    static final List<String> NAMES = List.of("pod", "deployment", "pod-10");

    private static final Pattern DIGEST = Pattern.compile("\\{\\{digest ([^}]+)}}");
    private static final Pattern IMAGE = Pattern
            .compile("\\{\\{registry}}/([^\"@:\\\\]+)(?::([^\"@\\\\]+)|@\\{\\{digest ([^}]+)}})");

    /** One rendered payload: its file, the benchmark images it references, and which of them by digest. */
    record Payload(String name, String kind, Path file, byte[] body, int containers, List<BenchImages.Image> images,
            Set<String> byDigest) {
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final Path templates;

    Payloads(Path templates) {
        this.templates = templates;
    }

    String template(String name) throws IOException {
        return Files.readString(templates.resolve(name + ".json"));
    }

    /** Renders {@code name} for images under {@code registry} (authority, optionally with a path prefix). */
    Payload render(String name, String registry, Map<String, String> digests, Path out) throws IOException {
        String text = template(name);
        List<BenchImages.Image> images = images(text);
        Set<String> byDigest = new LinkedHashSet<>();
        Matcher d = IMAGE.matcher(text);
        while (d.find()) {
            if (d.group(3) != null) {
                byDigest.add(d.group(1));
            }
        }
        Matcher m = DIGEST.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String digest = digests.get(m.group(1));
            if (digest == null) {
                throw new IllegalStateException(name + ".json names " + m.group(1) + ", which was not pushed");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(digest));
        }
        m.appendTail(sb);
        text = sb.toString().replace("{{registry}}", registry);
        JsonNode tree = mapper.readTree(text);
        JsonNode spec = tree.at("/request/object/spec");
        if (spec.has("template")) {
            spec = spec.at("/template/spec");
        }
        int containers = spec.path("containers").size() + spec.path("initContainers").size();
        byte[] body = mapper.writeValueAsBytes(tree);
        Files.createDirectories(out.getParent());
        Files.write(out, body);
        return new Payload(name, tree.at("/request/kind/kind").asText(), out, body, containers, images, byDigest);
    }

    /** The benchmark images a template references; fails on one that is not in {@link BenchImages#ALL}. */
    static List<BenchImages.Image> images(String template) {
        Set<BenchImages.Image> out = new LinkedHashSet<>();
        Matcher m = IMAGE.matcher(template);
        while (m.find()) {
            String ref = m.group(2) != null ? m.group(1) + ":" + m.group(2) : m.group(3);
            out.add(BenchImages.find(ref));
        }
        return new ArrayList<>(out);
    }
}
