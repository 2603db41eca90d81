package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.customs.cli.CliConfig;
import dev.customs.config.Beans;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;

/**
 * {@code latest-tag} with configured moving tags (the default, {@code latest}, is covered by the fixtures): which tags
 * fail, that the finding names the tag, and that the setting reaches the rule from configuration.
 */
class LatestTagTest {

    private static final LatestTag MOVING = new LatestTag(List.of("latest", "main", "edge", "nightly-*"));

    private static List<Violation> evaluate(LatestTag rule, String image) {
        PodView pod = PodViews.of("shop", "web", new PodSpecBuilder().addNewContainer().withName("app")
                .withImage(image).endContainer().build());
        Findings out = new Findings(LatestTag.ID);
        rule.evaluate(pod, ImageLookup.NONE, out);
        return out.violations();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            app:main                         | main
            registry.example.com/app:edge    | edge
            app:nightly-2025-11-30           | nightly-2025-11-30
            app:latest                       | latest
            """)
    void configuredMovingTagsFailAndTheFindingNamesTheTag(String image, String tag) {
        assertThat(evaluate(MOVING, image)).singleElement().extracting(Violation::problem).asString()
                .contains("uses the \"" + tag + "\" tag, which moves");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            app:maintenance
            app:main-1.2
            app:Main
            app:1.4.2
            app:nightly
            """)
    void otherTagsPass(String image) {
        assertThat(evaluate(MOVING, image)).isEmpty();
    }

    @Test
    void aDigestPinsAMovingTag() {
        assertThat(evaluate(MOVING, "app:main@sha256:" + "a".repeat(64))).isEmpty();
    }

    @Test
    void byDefaultOnlyLatestMoves() {
        assertThat(evaluate(new LatestTag(), "app:main")).isEmpty();
        assertThat(evaluate(new LatestTag(), "app:latest")).hasSize(1);
        assertThat(evaluate(new LatestTag(), "app")).singleElement().extracting(Violation::problem).asString()
                .contains("has no tag");
    }

    @Test
    void theSettingReachesTheRuleFromConfiguration() throws Exception {
        RuleRegistry rules = Beans.ruleRegistry(
                CliConfig.load(null, Map.of("customs.rules.latest-tag.moving-tags", "latest,main,nightly-*")));
        LatestTag rule = (LatestTag) rules.get(LatestTag.ID);
        assertThat(rule.movingTags()).containsExactly("latest", "main", "nightly-*");
        assertThat(((LatestTag) Beans.ruleRegistry(CliConfig.load(null, Map.of())).get(LatestTag.ID)).movingTags())
                .containsExactly("latest");
    }
}
