package dev.customs.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.marcnuri.helm.Helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * How the Helm chart, rendered with its defaults, runs Customs: the image's java command (from the jib settings in
 * application.properties), the chart's JVM options and environment, its container memory limit and its configuration
 * file. The reliability tests start the packaged jar exactly so, and read every size from here instead of repeating a
 * number.
 *
 * @param imageJvmFlags the flags of the image's entrypoint between {@code java} and {@code -jar}
 * @param env the container's environment with literal values (JDK_JAVA_OPTIONS, MALLOC_ARENA_MAX, ...)
 * @param memoryLimit the container's memory limit, bytes
 * @param config the rendered application.properties
 */
record ChartRuntime(List<String> imageJvmFlags, Map<String, String> env, long memoryLimit, String config) {

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    private static final Pattern JVM_SIZE = Pattern.compile("([0-9]+)([kKmMgG])");

    private static ChartRuntime defaults;

    /** The chart's defaults, rendered once per test JVM. */
    static synchronized ChartRuntime defaults() throws IOException {
        if (defaults == null) {
            defaults = render();
        }
        return defaults;
    }

    private static ChartRuntime render() throws IOException {
        String rendered = new Helm(Path.of("charts", "customs")).template().withName("customs")
                .withNamespace("customs").set("tls.generate.reuseExisting", false).call();
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : DOCUMENT_SEPARATOR.split(rendered)) {
            if (!doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                objects.add(serialization.unmarshal(doc, HasMetadata.class));
            }
        }
        Deployment deployment = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            }
        }
        long limit = Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")).longValueExact();
        String config = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(cm -> cm.getData() != null && cm.getData().containsKey("application.properties"))
                .findFirst().orElseThrow().getData().get("application.properties");

        List<String> entrypoint = List.of(packaged("quarkus.jib.jvm-entrypoint").split(","));
        // the AOT cache is the image's own file, made for the image's linked runtime at image build time: every other
        // flag is the image's
        List<String> flags = entrypoint.subList(1, entrypoint.indexOf("-jar")).stream()
                .filter(f -> !f.startsWith("-XX:AOTCache=")).toList();
        return new ChartRuntime(flags, Map.copyOf(env), limit, config);
    }

    /**
     * The JDK whose {@code bin/java} and {@code bin/jcmd} run the packaged jar: the JDK the image's runtime is linked
     * from ({@code build.image.jdk}, which the build passes from {@code customs.image.jdk}), so that memory is
     * measured on the Java the image runs; the test's own JDK when that one is not installed (then said in the log).
     */
    static Path jdk() {
        String configured = System.getProperty("build.image.jdk", "");
        Path image = Path.of(configured.isBlank() || configured.contains("${") ? "/usr/lib/jvm/temurin-25-jdk-amd64"
                : configured);
        if (Files.isExecutable(image.resolve("bin/java")) && Files.isExecutable(image.resolve("bin/jcmd"))) {
            return image;
        }
        org.jboss.logging.Logger.getLogger(ChartRuntime.class).warnf("the image's JDK %s is not installed: the "
                + "packaged jar runs on this test's JDK %s instead", image, Runtime.version());
        return Path.of(System.getProperty("java.home"));
    }

    /** A setting packaged in the application (src/main/resources/application.properties). */
    static String packaged(String key) throws IOException {
        Properties app = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            app.load(in);
        }
        String v = app.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("application.properties has no " + key);
        }
        return v.strip();
    }

    /** The chart's JVM options, one per element. */
    List<String> jvmOptions() {
        return List.of(env.get("JDK_JAVA_OPTIONS").strip().split("\\s+"));
    }

    /** The value of one of the chart's JVM options given by prefix ({@code -Xmx}), in bytes. */
    long jvmSize(String prefix) {
        for (String o : jvmOptions()) {
            if (o.startsWith(prefix)) {
                Matcher m = JVM_SIZE.matcher(o.substring(prefix.length()));
                if (!m.matches()) {
                    throw new IllegalStateException(o + " is not a size");
                }
                long n = Long.parseLong(m.group(1));
                return switch (Character.toLowerCase(m.group(2).charAt(0))) {
                    case 'k' -> n << 10;
                    case 'm' -> n << 20;
                    default -> n << 30;
                };
            }
        }
        throw new IllegalStateException("the chart sets no " + prefix);
    }

    /** A setting of the rendered configuration. */
    String setting(String key) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(config));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("the chart's configuration has no " + key);
        }
        return v.strip();
    }

    /** A memory size of the rendered configuration ({@code 32M}), in bytes. */
    long settingBytes(String key) {
        String v = setting(key);
        long n = Long.parseLong(v.replaceAll("[^0-9]", ""));
        return switch (v.replaceAll("[0-9]", "").toUpperCase()) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            case "G" -> n << 30;
            default -> n;
        };
    }
}
