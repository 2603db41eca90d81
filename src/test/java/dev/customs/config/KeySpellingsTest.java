package dev.customs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.customs.policy.Action;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Every spelling of a map key of the configuration is one key: quoted or not, and from environment variables, whose
 * rule ids lose their dashes. The interceptor is found through {@code META-INF/services}, as the webhook finds it.
 */
class KeySpellingsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            customs.rules.latest-tag.action                  | customs.rules."latest-tag".action
            customs.rules."latest-tag".action                | customs.rules."latest-tag".action
            customs.rules."latest.tag".action                | customs.rules."latest-tag".action
            customs.rules.latest.tag.action                  | customs.rules."latest-tag".action
            customs.rules.latest_tag.action                  | customs.rules."latest-tag".action
            customs.rules.docker.socket.extra.paths          | customs.rules."docker-socket".extra-paths
            customs.rules.oci-labels.required-keys[1]        | customs.rules."oci-labels".required-keys[1]
            customs.rules.latest-tags.action                 | customs.rules."latest-tags".action
            customs.rules.image.size.max.size                | customs.rules."image-size".max-size
            customs.rules.base_image.action                  | customs.rules."base-image".action
            %prod.customs.rules.run-as-root.action           | %prod.customs.rules."run-as-root".action
            customs.exemptions.node-agents.namespaces        | customs.exemptions."node-agents".namespaces
            customs.exemptions."node.agents".reason          | customs.exemptions."node.agents".reason
            customs.registry.mirrors.docker.io               | customs.registry.mirrors."docker.io"
            customs.registry.mirrors."docker.io"             | customs.registry.mirrors."docker.io"
            """)
    void oneSpelling(String written, String canonical) {
        assertThat(KeySpellings.canonical(written)).contains(canonical);
    }

    @Test
    void keysOutsideMapsAreLeftAlone() {
        assertThat(KeySpellings.canonical("customs.registry.budget")).isEmpty();
        assertThat(KeySpellings.canonical("quarkus.http.port")).isEmpty();
        assertThat(KeySpellings.canonical("customs.rules.")).isEmpty();
    }

    private static CustomsConfig config(Map<String, String> chartFile, Map<String, String> environment,
            Map<String, String> arguments) {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(CustomsConfig.class).addDefaultInterceptors()
                .addDiscoveredInterceptors().withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(chartFile, "chart", 275))
                .withSources(new EnvConfigSource(environment, 300))
                .withSources(new PropertiesConfigSource(arguments, "arguments", 400)).build();
        return c.getConfigMapping(CustomsConfig.class);
    }

    @Test
    void theEnvironmentOverridesTheChartsQuotedKey() {
        CustomsConfig c = config(Map.of("customs.rules.\"latest-tag\".action", "enforce"),
                Map.of("CUSTOMS_RULES__LATEST_TAG__ACTION", "off"), Map.of());
        assertThat(c.rules()).containsOnlyKeys("latest-tag");
        assertThat(c.rules().get("latest-tag").action()).contains(Action.OFF);
    }

    @Test
    void anEnvironmentVariableAloneNamesTheRule() {
        assertThat(config(Map.of(), Map.of("CUSTOMS_RULES__LATEST_TAG__ACTION", "off"), Map.of()).rules())
                .containsOnlyKeys("latest-tag");
        CustomsConfig single = config(Map.of(), Map.of("CUSTOMS_RULES_SHELL_FORM_ENTRYPOINT_ACTION", "warn"), Map.of());
        assertThat(single.rules()).containsOnlyKeys("shell-form-entrypoint");
        assertThat(single.rules().get("shell-form-entrypoint").action()).contains(Action.WARN);
    }

    @Test
    void quotedAndUnquotedInTwoSourcesAreOneKeyAndTheHigherSourceWins() {
        CustomsConfig c = config(Map.of("customs.rules.\"latest-tag\".action", "audit",
                "customs.exemptions.\"tools\".namespaces", "ci", "customs.exemptions.\"tools\".reason", "chart"),
                Map.of(), Map.of("customs.rules.latest-tag.action", "warn", "customs.exemptions.tools.reason",
                        "argument"));
        assertThat(c.rules().get("latest-tag").action()).contains(Action.WARN);
        assertThat(c.exemptions()).containsOnlyKeys("tools");
        assertThat(c.exemptions().get("tools").reason()).isEqualTo("argument");
        assertThat(c.exemptions().get("tools").namespaces()).contains(java.util.List.of("ci"));
    }
}
