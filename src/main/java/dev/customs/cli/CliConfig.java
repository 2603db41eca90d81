package dev.customs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.config.CustomsConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * The webhook's configuration, loaded without booting Quarkus: the built-in defaults, then a {@code --config} file
 * ({@code application.yaml}-style YAML, or properties), then environment variables, system properties and
 * {@code -Dkey=value} arguments, each overriding the one before. The same {@link CustomsConfig} mapping as the webhook.
 */
public final class CliConfig {

    private CliConfig() {
    }

    public static CustomsConfig load(Path configFile, Map<String, String> overrides) throws InputError {
        // Quarkus' duration syntax (10m, 3s) as in the webhook
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder().withMapping(CustomsConfig.class).addDefaultSources()
                .addDefaultInterceptors().withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter());
        URL defaults = CliConfig.class.getClassLoader().getResource("application.properties");
        if (defaults != null) {
            try {
                b.withSources(new PropertiesConfigSource(defaults, 250));
            } catch (IOException e) {
                throw new InputError("built-in defaults cannot be read: " + e.getMessage());
            }
        }
        if (configFile != null) {
            b.withSources(new MapBackedConfigSource("--config " + configFile, read(configFile), 260) {
                private static final long serialVersionUID = 1L;
            });
        }
        b.withSources(new MapBackedConfigSource("-D arguments", overrides, 500) {
            private static final long serialVersionUID = 1L;
        });
        try {
            SmallRyeConfig config = b.build();
            return config.getConfigMapping(CustomsConfig.class);
        } catch (RuntimeException e) {
            throw new InputError("invalid configuration: " + e.getMessage());
        }
    }

    private static Map<String, String> read(Path file) throws InputError {
        String name = file.getFileName().toString();
        try (InputStream in = Files.newInputStream(file)) {
            if (name.endsWith(".properties")) {
                Properties p = new Properties();
                p.load(in);
                Map<String, String> m = new LinkedHashMap<>();
                p.forEach((k, v) -> m.put(k.toString(), v.toString()));
                return m;
            }
            JsonNode root = ManifestReader.yamlMapper().readTree(in);
            Map<String, String> out = new LinkedHashMap<>();
            if (root != null && !root.isMissingNode() && !root.isNull()) {
                if (!root.isObject()) {
                    throw new InputError(file + ": a configuration file is a mapping of keys");
                }
                flatten("", root, out);
            }
            return out;
        } catch (IOException e) {
            throw new InputError(file + ": cannot be read as configuration (" + e.getMessage() + ")");
        }
    }

    /** {@code customs: {rules: {run-as-root: {action: warn}}}} → {@code customs.rules.run-as-root.action=warn}. */
    static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey().contains(".") ? "\"" + e.getKey() + "\"" : e.getKey();
                flatten(prefix.isEmpty() ? key : prefix + "." + key, e.getValue(), out);
            }
        } else if (node.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode item : node) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(item.asText().replace(",", "\\,"));
            }
            out.put(prefix, sb.toString());
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }
}
