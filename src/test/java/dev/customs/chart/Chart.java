package dev.customs.chart;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Renders {@code charts/customs} with Helm itself (helm-java links Helm as a native library) and parses the result
 * with the fabric8 model, so tests assert on typed objects instead of YAML text.
 */
final class Chart {

    static final Path DIR = Path.of("charts", "customs");
    static final String RELEASE = "customs";
    static final String NAMESPACE = "customs";

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Chart() {
    }

    /** The scenario files under {@code ci/}, as chart-testing runs them. */
    static List<Path> scenarios() throws IOException {
        try (Stream<Path> files = Files.list(DIR.resolve("ci"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /**
     * {@code helm template} of the chart; {@code values} may be null for the defaults.
     *
     * <p>
     * Unlike the helm CLI, helm-java's template lets {@code lookup} call the cluster of the current kubeconfig; the
     * certificate look-up is switched off so the tests never reach a cluster. Offline, {@code lookup} answers nothing
     * anyway, so the rendering is the one {@code helm template} gives.
     */
    static String template(Path values, Map<String, Object> sets) {
        TemplateCommand cmd = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE)
                .set("tls.generate.reuseExisting", false);
        if (values != null) {
            cmd = cmd.withValuesFile(values);
        }
        for (Map.Entry<String, Object> e : sets.entrySet()) {
            cmd = cmd.set(e.getKey(), e.getValue());
        }
        return cmd.call();
    }

    /**
     * Renders the chart with its {@code helm test} objects. helm-java's template, like {@code helm install}, leaves
     * hooks out of the manifest it returns; a copy of the chart without the hook annotations renders them as plain
     * objects.
     */
    static Rendered renderWithTestHooks(Path values, Map<String, Object> sets) throws IOException {
        Path copy = Path.of("target", "chart-with-test-hooks", DIR.getFileName().toString());
        if (Files.exists(copy)) {
            try (Stream<Path> old = Files.walk(copy)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(DIR.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (p.startsWith(DIR.resolve("templates/tests"))) {
                    Files.writeString(target, Files.readString(p).replaceAll("(?m)^\\s*helm\\.sh/hook.*\\n", ""));
                } else {
                    Files.copy(p, target);
                }
            }
        }
        TemplateCommand cmd = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE)
                .set("tls.generate.reuseExisting", false);
        if (values != null) {
            cmd = cmd.withValuesFile(values);
        }
        for (Map.Entry<String, Object> e : sets.entrySet()) {
            cmd = cmd.set(e.getKey(), e.getValue());
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : documents(cmd.call())) {
            objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
        }
        return new Rendered(objects);
    }

    /** The YAML documents of a rendering, without empty ones. */
    static List<String> documents(String rendered) {
        List<String> docs = new ArrayList<>();
        for (String doc : DOCUMENT_SEPARATOR.split(rendered)) {
            boolean empty = doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"));
            if (!empty) {
                docs.add(doc);
            }
        }
        return docs;
    }

    /** Every object of a rendering; kinds fabric8 does not model (cert-manager's, Prometheus') are generic. */
    static Rendered render(Path values, Map<String, Object> sets) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : documents(template(values, sets))) {
            objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
        }
        return new Rendered(objects);
    }

    static String json(Object o) {
        return SERIALIZATION.asJson(o);
    }

    /** A rendering, with typed look-ups. */
    record Rendered(List<HasMetadata> objects) {

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type) {
            List<T> found = all(type).stream().filter(o -> !isTestHook(o)).toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
            }
            return found.get(0);
        }

        <T extends HasMetadata> T named(Class<T> type, String name) {
            return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
        }

        <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
        }

        List<HasMetadata> ofKind(String kind) {
            return objects.stream().filter(o -> o.getKind().equals(kind)).toList();
        }

        /** Customs' configuration file, parsed as Quarkus reads it. */
        Properties config() {
            ConfigMap cm = named(ConfigMap.class, RELEASE);
            Properties p = new Properties();
            try {
                p.load(new StringReader(cm.getData().get("application.properties")));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return p;
        }

        static boolean isTestHook(HasMetadata o) {
            Map<String, String> annotations = o.getMetadata().getAnnotations();
            return annotations != null && "test".equals(annotations.get("helm.sh/hook"));
        }
    }
}
