package dev.customs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.spi.Converter;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import dev.customs.config.CustomsConfig;
import dev.customs.config.KeySpellings;
import dev.customs.image.layers.LayerScans;
import dev.customs.policy.Action;
import dev.customs.policy.OnError;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * The webhook's configuration, loaded without booting Quarkus: the built-in defaults, then a {@code --config} file
 * ({@code application.yaml}-style YAML, or properties), then environment variables, system properties and
 * {@code -Dkey=value} arguments, each overriding the one before. The same {@link CustomsConfig} mapping as the webhook,
 * and the same {@link KeySpellings}, so a key may be written quoted or not in any of them.
 *
 * <p>
 * A mistake is reported where it was made ({@code config.yaml:4:15}, {@code -Dcustoms.registry.budget=3x}, the
 * environment variable) and in the user's words: {@code "wanr" is not an action: use enforce, warn, audit or off}.
 */
public final class CliConfig {

    /** Ordinals: above the packaged defaults (250), below environment variables (300) and system properties (400). */
    private static final int FILE_ORDINAL = 260;
    private static final int ARGUMENT_ORDINAL = 500;
    private static final String RELEASE_NAMESPACE = "customs.release-namespace";

    private static final Pattern CONVERSION = Pattern.compile(
            "The config property (\\S+) with the config value \"(.*?)\" threw an Exception whilst being converted (.*)",
            Pattern.DOTALL);
    private static final Pattern UNMAPPED = Pattern.compile("(\\S+) in (.+) does not map to any root");
    private static final Pattern CODES = Pattern.compile("(?:[\\w.$]+(?:Exception|Error): )?SRCFG\\d+: ");

    /**
     * The loaded configuration, and the release namespace when the user named one (the CLI assumes none).
     *
     * @param config the configuration
     * @param releaseNamespace {@code customs.release-namespace} when it was set, in a file, an argument or the
     *        environment
     * @param sources where each key was set, to say where a later error (an unknown rule id) comes from
     */
    record Loaded(CustomsConfig config, Optional<String> releaseNamespace, Sources sources) {
    }

    private CliConfig() {
    }

    public static CustomsConfig load(Path configFile, Map<String, String> overrides) throws InputError {
        return open(configFile, overrides).config();
    }

    static Loaded open(Path configFile, Map<String, String> overrides) throws InputError {
        Sources sources = new Sources();
        Map<String, String> fromFile = configFile == null ? Map.of() : read(configFile, sources);
        overrides.forEach((k, v) -> sources.put(k, "-D" + k + "=" + v, ARGUMENT_ORDINAL));
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("CUSTOMS_")) {
                sources.environment(k);
            }
        });
        // Quarkus' duration (10m, 3s) and memory size (64M) syntax, as in the webhook
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder().withMapping(CustomsConfig.class).addDefaultSources()
                .addDefaultInterceptors().withInterceptors(new KeySpellings())
                .withConverter(Duration.class, 200, new Durations())
                .withConverter(Action.class, 200, new Actions())
                .withConverter(OnError.class, 200, new OnErrors())
                .withConverter(LocalDate.class, 200, new Dates())
                .withConverter(LayerScans.Mode.class, 200, new LayerModes())
                .withConverter(MemorySize.class, 200, new Sizes()).withConverter(Integer.class, 200, new Numbers());
        URL defaults = CliConfig.class.getClassLoader().getResource("application.properties");
        if (defaults != null) {
            try {
                b.withSources(new PropertiesConfigSource(defaults, 250));
            } catch (IOException e) {
                throw new InputError("the built-in defaults cannot be read: " + e.getMessage());
            }
        }
        if (configFile != null) {
            b.withSources(new MapBackedConfigSource("--config " + configFile, fromFile, FILE_ORDINAL) {
                private static final long serialVersionUID = 1L;
            });
        }
        b.withSources(new MapBackedConfigSource("-D arguments", overrides, ARGUMENT_ORDINAL) {
            private static final long serialVersionUID = 1L;
        });
        SmallRyeConfig config;
        try {
            config = b.build();
        } catch (ConfigValidationException e) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < e.getProblemCount(); i++) {
                lines.add(sources.explain(e.getProblem(i).getMessage()));
            }
            throw new InputError(String.join("\n", lines));
        } catch (RuntimeException e) {
            throw new InputError(sources.explain(String.valueOf(e.getMessage())));
        }
        CustomsConfig mapped = config.getConfigMapping(CustomsConfig.class);
        boolean named = sources.where(RELEASE_NAMESPACE).isPresent() || System.getProperty(RELEASE_NAMESPACE) != null;
        return new Loaded(mapped, named ? Optional.of(mapped.releaseNamespace()) : Optional.empty(), sources);
    }

    /**
     * Where each key the user set was written, by its one spelling: {@code config.yaml:4:15}, {@code -Dkey=value}, an
     * environment variable. Where a key was set twice, the source that wins is kept.
     */
    static final class Sources {

        private record Where(String text, int ordinal) {
        }

        private final Map<String, Where> byKey = new LinkedHashMap<>();
        /** Environment variables by their letters and digits alone: CUSTOMSRULESLATESTTAGACTION. */
        private final Map<String, String> environment = new LinkedHashMap<>();

        void put(String key, String where, int ordinal) {
            String canonical = KeySpellings.canonical(key).orElse(key);
            byKey.merge(canonical, new Where(where, ordinal), (a, b) -> b.ordinal() >= a.ordinal() ? b : a);
        }

        /** An environment variable; it may spell any key, so it is matched when a key is looked up. */
        void environment(String name) {
            environment.put(letters(name), name);
            put(KeySpellings.environmentToDotted(name), "environment variable " + name, 300);
        }

        private static String letters(String s) {
            return s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
        }

        /** Where a key (any spelling) or the first key under a prefix ending in "." was set. */
        Optional<String> where(String key) {
            String canonical = KeySpellings.canonical(key).orElse(key);
            Where exact = byKey.get(canonical);
            String variable = environment.get(letters(canonical));
            if (variable != null && (exact == null || exact.ordinal() < 300)) {
                return Optional.of("environment variable " + variable);
            }
            if (exact != null) {
                return Optional.of(exact.text());
            }
            if (key.endsWith(".")) {
                String prefix = KeySpellings.canonical(key + "x").map(c -> c.substring(0, c.length() - 1)).orElse(key);
                return byKey.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                        .map(e -> e.getValue().text()).findFirst();
            }
            return Optional.empty();
        }

        /** A configuration error in the user's words, prefixed with where the key was set. */
        String explain(String message) {
            String m = CODES.matcher(message.strip()).replaceAll("");
            Matcher conversion = CONVERSION.matcher(m);
            if (conversion.find()) {
                String key = conversion.group(1);
                String why = CODES.matcher(conversion.group(3).strip()).replaceAll("");
                return at(key) + key + ": " + why;
            }
            Matcher unmapped = UNMAPPED.matcher(m);
            if (unmapped.find()) {
                String key = unmapped.group(1);
                return at(key) + key + " is not a Customs setting (see the README's Configuration section)";
            }
            Matcher rule = Pattern.compile("^(customs\\.(?:rules|exemptions)\\.\"[^\"]*\")").matcher(m);
            if (rule.find()) {
                return at(rule.group(1) + ".") + m;
            }
            return m;
        }

        private String at(String key) {
            return where(key).map(w -> w + ": ").orElse("");
        }
    }

    private static Map<String, String> read(Path file, Sources sources) throws InputError {
        String shown = file.toString();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = ManifestReader.readCapped(in);
        } catch (NoSuchFileException e) {
            throw new InputError("--config " + shown + ": no such file");
        } catch (IOException e) {
            throw new InputError("--config " + shown + ": cannot be read: " + Inputs.reason(e));
        }
        if (file.getFileName().toString().endsWith(".properties")) {
            Properties p = new Properties();
            try {
                p.load(new java.io.ByteArrayInputStream(bytes));
            } catch (IOException | IllegalArgumentException e) {
                throw new InputError(shown + ": not a valid properties file: " + e.getMessage());
            }
            Map<String, String> m = new LinkedHashMap<>();
            List<String> lines = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).lines().toList();
            p.forEach((k, v) -> {
                m.put(k.toString(), v.toString());
                sources.put(k.toString(), shown + lineOf(lines, k.toString()), FILE_ORDINAL);
            });
            return m;
        }
        Map<String, String> out = new LinkedHashMap<>();
        try (JsonParser p = ManifestReader.yamlFactory().createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return out;
            }
            if (t != JsonToken.START_OBJECT) {
                throw new InputError(shown + ":" + p.currentTokenLocation().getLineNr()
                        + ": a configuration file is a mapping of keys (customs: {rules: ...})");
            }
            flatten(p, "", out, shown, sources);
        } catch (JsonProcessingException e) {
            throw new InputError(YamlErrors.problem(shown, e).toString());
        } catch (IOException e) {
            throw new InputError(shown + ": cannot be read: " + Inputs.reason(e));
        }
        return out;
    }

    private static String lineOf(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).stripLeading();
            if (l.startsWith(key) && l.substring(key.length()).stripLeading().matches("^[=:].*")) {
                return ":" + (i + 1);
            }
        }
        return "";
    }

    /**
     * {@code customs: {rules: {run-as-root: {action: warn}}}} → {@code customs.rules.run-as-root.action=warn}, with
     * where each value is written. A key containing a dot is quoted; a list is joined with commas (a comma in an item
     * escaped), as SmallRye reads lists.
     */
    private static void flatten(JsonParser p, String prefix, Map<String, String> out, String file, Sources sources)
            throws IOException, InputError {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                String key = name.contains(".") ? "\"" + name + "\"" : name;
                p.nextToken();
                flatten(p, prefix.isEmpty() ? key : prefix + "." + key, out, file, sources);
            }
            return;
        }
        String where = file + ":" + p.currentTokenLocation().getLineNr() + ":" + p.currentTokenLocation().getColumnNr();
        if (t == JsonToken.START_ARRAY) {
            List<String> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken().isStructStart()) {
                    p.skipChildren();
                    throw new InputError(where + ": " + prefix + ": a list of plain values is expected here");
                }
                items.add(p.getValueAsString("").replace(",", "\\,"));
            }
            out.put(prefix, String.join(",", items));
        } else if (t != JsonToken.VALUE_NULL) {
            out.put(prefix, p.getValueAsString(""));
        } else {
            return;
        }
        sources.put(prefix, where, FILE_ORDINAL);
    }

    /** Rule actions, with the allowed values named. */
    static final class Actions implements Converter<Action> {
        private static final long serialVersionUID = 1L;

        @Override
        public Action convert(String value) {
            return parse(Action.class, value, "an action");
        }
    }

    /** {@code customs.registry.on-error}. */
    static final class OnErrors implements Converter<OnError> {
        private static final long serialVersionUID = 1L;

        @Override
        public OnError convert(String value) {
            return parse(OnError.class, value, "an on-error value");
        }
    }

    /** {@code customs.rules."leaked-secret".layers}. */
    static final class LayerModes implements Converter<LayerScans.Mode> {
        private static final long serialVersionUID = 1L;

        @Override
        public LayerScans.Mode convert(String value) {
            return parse(LayerScans.Mode.class, value, "a layer scan mode");
        }
    }

    /** Quarkus' memory sizes ({@code 64M}, {@code 1G}), with a message that shows the form. */
    static final class Sizes implements Converter<MemorySize> {
        private static final long serialVersionUID = 1L;
        private final MemorySizeConverter quarkus = new MemorySizeConverter();

        @Override
        public MemorySize convert(String value) {
            try {
                return quarkus.convert(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("\"" + value + "\" is not a size: write a number of bytes, "
                        + "optionally with K, M or G, e.g. 64M, 1G");
            }
        }
    }

    /** Counts and limits. */
    static final class Numbers implements Converter<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer convert(String value) {
            try {
                return Integer.valueOf(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + value + "\" is not a whole number");
            }
        }
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String what) {
        String v = value.strip();
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        int last = allowed.lastIndexOf(", ");
        throw new IllegalArgumentException("\"" + value + "\" is not " + what + ": use "
                + (last < 0 ? allowed : allowed.substring(0, last) + " or " + allowed.substring(last + 2)));
    }

    /** Quarkus' durations ({@code 500ms}, {@code 3s}, {@code 5m}), with a message that shows the form. */
    static final class Durations implements Converter<Duration> {
        private static final long serialVersionUID = 1L;
        private final DurationConverter quarkus = new DurationConverter();

        @Override
        public Duration convert(String value) {
            try {
                return quarkus.convert(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("\"" + value + "\" is not a duration: write a number and a unit, "
                        + "e.g. 500ms, 3s, 5m, 24h");
            }
        }
    }

    /** Exemption expiry dates. */
    static final class Dates implements Converter<LocalDate> {
        private static final long serialVersionUID = 1L;

        @Override
        public LocalDate convert(String value) {
            try {
                return LocalDate.parse(value.strip());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("\"" + value + "\" is not a date: write it as 2027-03-31");
            }
        }
    }
}
