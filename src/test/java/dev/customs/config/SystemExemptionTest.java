package dev.customs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.customs.cli.CliConfig;
import dev.customs.policy.Exemption;

/** The built-in exemption for kube-system and Customs' own namespace, and how configuration replaces it. */
class SystemExemptionTest {

    @Test
    void byDefaultKubeSystemAndTheReleaseNamespaceAreExempt() throws Exception {
        CustomsConfig config = CliConfig.load(null, Map.of("customs.release-namespace", "customs-prod"));
        assertThat(Beans.exemptions(config)).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo("system");
            assertThat(e.namespaces()).containsExactlyInAnyOrder("kube-system", "customs-prod");
            assertThat(e.rules()).isEmpty();
        });
    }

    @Test
    void aConfiguredSystemExemptionReplacesTheBuiltInOneAndCanBeSwitchedOff() throws Exception {
        CustomsConfig replaced = CliConfig.load(null, Map.of("customs.exemptions.system.namespaces", "kube-system",
                "customs.exemptions.system.reason", "ours"));
        assertThat(Beans.exemptions(replaced)).extracting(Exemption::reason).containsExactly("ours");
        CustomsConfig off = CliConfig.load(null, Map.of("customs.exemptions.\"system\".enabled", "false"));
        assertThat(Beans.exemptions(off)).isEmpty();
    }
}
