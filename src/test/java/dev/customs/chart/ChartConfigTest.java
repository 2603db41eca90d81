package dev.customs.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.customs.cli.CliConfig;
import dev.customs.config.Beans;
import dev.customs.config.CustomsConfig;
import dev.customs.policy.Action;
import dev.customs.policy.NamespaceLabels;
import dev.customs.policy.Policy;
import dev.customs.rules.RuleRegistry;
import io.fabric8.kubernetes.api.model.ConfigMap;

/**
 * The chart and the application cannot drift apart: the configuration the chart renders, for its defaults and every
 * {@code ci/} scenario, is read by the application's own configuration mapping (which refuses unknown
 * {@code customs.*} keys) and builds the rule registry and the policy the webhook would run.
 */
class ChartConfigTest {

    static Stream<Path> scenarios() throws Exception {
        List<Path> all = new ArrayList<>();
        all.add(null);
        all.addAll(Chart.scenarios());
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theRenderedConfigurationIsTheApplicationsConfiguration(Path values, @TempDir Path dir) throws Exception {
        ConfigMap cm = Chart.render(values, Map.of()).all(ConfigMap.class).stream()
                .filter(c -> c.getData() != null && c.getData().containsKey("application.properties")).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap with application.properties"));
        Path file = dir.resolve("application.properties");
        Files.writeString(file, cm.getData().get("application.properties"));

        CustomsConfig config = CliConfig.load(file, Map.of());
        RuleRegistry rules = Beans.ruleRegistry(config);
        Policy policy = Beans.policy(config, NamespaceLabels.NONE, Clock.systemUTC(), e -> {
        });
        assertThat(rules.ids()).containsExactlyInAnyOrderElementsOf(RuleRegistry.IDS);
        for (String id : RuleRegistry.IDS) {
            assertThat(policy.configuredAction(id)).isIn((Object[]) Action.values());
        }
        // Customs' own namespace and kube-system are exempt in every scenario, so Customs never blocks itself
        assertThat(policy.liveExemptions()).anySatisfy(e -> assertThat(e.namespaces()).contains("kube-system",
                Chart.NAMESPACE));
    }
}
