package dev.customs.config;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.customs.rules.RuleRegistry;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * One spelling for every map key of Customs' configuration, whatever source it comes from. A rule's settings can be
 * written {@code customs.rules."latest-tag".action} (the Helm chart's form), {@code customs.rules.latest-tag.action}
 * (what people type after {@code -D}), or as an environment variable, {@code CUSTOMS_RULES__LATEST_TAG__ACTION} or
 * {@code CUSTOMS_RULES_LATEST_TAG_ACTION}, which SmallRye reads back as {@code latest.tag} because an environment
 * variable cannot hold a dash. Left alone, SmallRye refuses the quoted and the unquoted form of one key in two sources
 * ("does not map to any root") and takes the environment's spelling for another rule.
 *
 * <p>
 * This interceptor renames every spelling to the quoted form, {@code customs.rules."<rule-id>".<property>}, with the
 * rule id recognised whatever its separators, and answers a lookup of that name with the value of the highest-ordinal
 * source among all its spellings, so precedence (defaults, the chart's file, environment, {@code -D}) is kept. The same
 * holds for {@code customs.exemptions."<name>".*} (quoted or not) and {@code customs.registry.mirrors."<host>"}.
 * Registered through {@code META-INF/services} for the webhook and added explicitly by {@code customs check}.
 */

public final class KeySpellings implements ConfigSourceInterceptor {

    private static final long serialVersionUID = 1L;

    private static final String RULES = "customs.rules.";
    private static final String EXEMPTIONS = "customs.exemptions.";
    private static final String MIRRORS = "customs.registry.mirrors.";
    private static final List<String> RULE_PROPERTIES = List.of("action", "extra-paths", "required-keys",
            "moving-tags", "max-size");

    /** The spellings seen of each canonical name; built on first use from the names of all sources. */
    private transient volatile Map<String, Set<String>> spellings;

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        Optional<String> canonical = canonical(name);
        if (canonical.isEmpty()) {
            return context.proceed(name);
        }
        ConfigValue best = context.proceed(canonical.get());
        for (String spelling : spellings(context).getOrDefault(canonical.get(), Set.of())) {
            ConfigValue v = context.proceed(spelling);
            if (v != null && (best == null || v.getConfigSourceOrdinal() > best.getConfigSourceOrdinal())) {
                best = v;
            }
        }
        return best == null || best.getName().equals(name) ? best : best.withName(name);
    }

    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
        Set<String> names = new LinkedHashSet<>();
        context.iterateNames().forEachRemaining(n -> {
            if (isEnvironmentName(n) && n.startsWith("CUSTOMS_")) {
                // SmallRye also lists it in dotted lower case; that one is renamed below
                Optional<String> dotted = canonical(environmentToDotted(n));
                if (dotted.isPresent()) {
                    return;
                }
            }
            names.add(canonical(n).orElse(n));
        });
        return names.iterator();
    }

    private Map<String, Set<String>> spellings(ConfigSourceInterceptorContext context) {
        Map<String, Set<String>> s = spellings;
        if (s == null) {
            Map<String, Set<String>> built = new HashMap<>();
            context.iterateNames().forEachRemaining(n -> canonical(n).filter(c -> !c.equals(n))
                    .ifPresent(c -> built.computeIfAbsent(c, k -> new LinkedHashSet<>()).add(n)));
            spellings = s = built;
        }
        return s;
    }

    /**
     * {@code CUSTOMS_RULES__LATEST_TAG__ACTION} → {@code customs.rules.latest.tag.action}, which {@link #canonical}
     * reads as the rule {@code latest-tag}; the separators an environment variable cannot hold are lost either way.
     */
    public static String environmentToDotted(String name) {
        return name.toLowerCase(Locale.ROOT).replace("__", ".").replace('_', '.');
    }

    private static boolean isEnvironmentName(String n) {
        return n.chars().allMatch(ch -> ch == '_' || Character.isDigit(ch) || Character.isUpperCase(ch));
    }

    /**
     * The one spelling of a name under a configuration map, or empty when the name is not under one. A profile prefix
     * ({@code %prod.}) is kept.
     */
    public static Optional<String> canonical(String name) {
        if (name.startsWith("%")) {
            int dot = name.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            return canonical(name.substring(dot + 1)).map(c -> name.substring(0, dot + 1) + c);
        }
        if (name.startsWith(RULES)) {
            return rule(name.substring(RULES.length()));
        }
        if (name.startsWith(EXEMPTIONS)) {
            return keyed(EXEMPTIONS, name.substring(EXEMPTIONS.length()));
        }
        if (name.startsWith(MIRRORS) && name.length() > MIRRORS.length()) {
            return Optional.of(MIRRORS + quote(unquote(name.substring(MIRRORS.length()))));
        }
        return Optional.empty();
    }

    /** {@code latest-tag.action}, {@code "latest.tag".action}, {@code latest_tag.action} → the quoted rule id. */
    private static Optional<String> rule(String rest) {
        String key;
        String property;
        if (rest.startsWith("\"")) {
            int close = rest.indexOf('"', 1);
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != '.') {
                return Optional.empty();
            }
            key = rest.substring(1, close);
            property = rest.substring(close + 2);
        } else {
            key = null;
            property = null;
            for (String id : RuleRegistry.IDS) {
                for (String spelling : List.of(id, id.replace('-', '.'), id.replace('-', '_'))) {
                    if (rest.startsWith(spelling + ".")) {
                        key = id;
                        property = rest.substring(spelling.length() + 1);
                    }
                }
            }
            if (key == null) {
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    return Optional.empty();
                }
                key = rest.substring(0, dot);
                property = rest.substring(dot + 1);
            }
        }
        if (property.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(RULES + quote(ruleId(key)) + "." + ruleProperty(property));
    }

    /**
     * A rule id as written in a key, recognised whatever its case and separators ({@code latest.tag} from an
     * environment variable is {@code latest-tag}); an unknown id is kept as written, so start-up names it.
     */
    public static String ruleId(String written) {
        String normal = written.strip().toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
        return RuleRegistry.IDS.contains(normal) ? normal : written;
    }

    private static String ruleProperty(String written) {
        int index = written.indexOf('[');
        String head = index < 0 ? written : written.substring(0, index);
        String normal = head.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
        return RULE_PROPERTIES.contains(normal) ? normal + (index < 0 ? "" : written.substring(index)) : written;
    }

    private static Optional<String> keyed(String prefix, String rest) {
        if (rest.startsWith("\"")) {
            int close = rest.indexOf('"', 1);
            if (close < 0) {
                return Optional.empty();
            }
            return Optional.of(prefix + rest);
        }
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(prefix + quote(rest.substring(0, dot)) + rest.substring(dot));
    }

    private static String quote(String key) {
        return "\"" + key + "\"";
    }

    private static String unquote(String key) {
        return key.length() > 1 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1)
                : key;
    }
}
