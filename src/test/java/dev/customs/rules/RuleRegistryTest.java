package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PodSpecBuilder;

/** The registry of rules: the ten public ids, in order, and fail-fast construction. */
class RuleRegistryTest {

    @Test
    void defaultsHaveTheTenPublicIdsInOrder() {
        RuleRegistry r = RuleRegistry.defaults();
        assertThat(RuleRegistry.IDS).containsExactly("run-as-root", "non-root-conflict", "host-network",
                "docker-socket", "latest-tag", "oci-labels", "shell-form-entrypoint", "leaked-secret", "image-size",
                "base-image");
        assertThat(r.all()).extracting(Rule::id).containsExactlyElementsOf(RuleRegistry.IDS);
        assertThat(r.ids()).containsExactlyInAnyOrderElementsOf(RuleRegistry.IDS);
        for (String id : RuleRegistry.IDS) {
            assertThat(r.get(id).id()).isEqualTo(id);
        }
    }

    @Test
    void onlyImageRulesAskForImages() {
        Map<String, Boolean> readsImage = Map.of(RunAsRoot.ID, true, NonRootConflict.ID, true, HostNetwork.ID, false,
                DockerSocket.ID, false, LatestTag.ID, false, OciLabels.ID, true, ShellFormEntrypoint.ID, true,
                LeakedSecret.ID, true, ImageSize.ID, false, BaseImage.ID, true);
        RuleRegistry.defaults().all().forEach(r -> assertThat(r.readsImage()).as(r.id()).isEqualTo(readsImage.get(
                r.id())));
        RuleEngine engine = new RuleEngine(RuleRegistry.defaults());
        assertThat(engine.needsImages(id -> id.equals(LatestTag.ID) || id.equals(HostNetwork.ID))).isFalse();
        assertThat(engine.needsImages(id -> id.equals(OciLabels.ID))).isTrue();
        // image-size asks for images only once it has a limit
        assertThat(engine.needsImages(id -> id.equals(ImageSize.ID))).isFalse();
        assertThat(new RuleEngine(RuleRegistry.withSettings(List.of(), OciLabels.DEFAULT_REQUIRED, "500MB"))
                .needsImages(id -> id.equals(ImageSize.ID))).isTrue();
    }

    @Test
    void aBadImageSizeLimitFailsFast() {
        assertThatThrownBy(() -> RuleRegistry.withSettings(List.of(), OciLabels.DEFAULT_REQUIRED, "big"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("customs.rules.\"image-size\".max-size: \"big\" is not a size; write it as 500MB, 1.5GB "
                        + "or 800MiB");
        assertThatThrownBy(() -> RuleRegistry.withSettings(List.of(), OciLabels.DEFAULT_REQUIRED, "0MB"))
                .hasMessage("customs.rules.\"image-size\".max-size: \"0MB\" is not a positive size");
    }

    @Test
    void aDuplicateIdFailsFast() {
        assertThatThrownBy(() -> new RuleRegistry(List.of(new HostNetwork(), new LatestTag(), new HostNetwork())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rule id \"host-network\" is registered twice");
    }

    @Test
    void anUnknownIdFailsFast() {
        Rule misnamed = new Rule() {
            @Override
            public String id() {
                return "latest_tag";
            }

            @Override
            public boolean readsImage() {
                return false;
            }

            @Override
            public void evaluate(PodView pod, ImageLookup images, Findings out) {
            }
        };
        assertThatThrownBy(() -> new RuleRegistry(List.of(new LatestTag(), misnamed)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rule id \"latest_tag\" is not one of [run-as-root, ");
    }

    @Test
    void lookingUpAnUnknownOrUnregisteredIdFails() {
        assertThatThrownBy(() -> RuleRegistry.defaults().get("no-such-rule"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown rule id \"no-such-rule\"");
        RuleRegistry some = new RuleRegistry(List.of(new LatestTag(), new HostNetwork()));
        assertThat(some.all()).extracting(Rule::id).containsExactly(HostNetwork.ID, LatestTag.ID);
        assertThatThrownBy(() -> some.get(RunAsRoot.ID)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsReachTheRules() {
        RuleRegistry r = RuleRegistry.withSettings(List.of("/var/run/buildkit/buildkitd.sock"),
                List.of("org.opencontainers.image.source"));
        PodView pod = PodViews.of("ns", "web", new PodSpecBuilder()
                .addNewContainer().withName("app").withImage("app:1.0").endContainer()
                .addNewVolume().withName("bk").withNewHostPath().withPath("/run/buildkit/buildkitd.sock").endHostPath()
                .endVolume().build());
        ImageLookup images = c -> ImageFacts.Resolved.of(new ImageConfig(Platform.of("linux", "amd64"), "1000",
                null, null, null, Map.of("org.opencontainers.image.title", "app"), null));

        Findings sockets = new Findings(DockerSocket.ID);
        r.get(DockerSocket.ID).evaluate(pod, images, sockets);
        assertThat(sockets.violations()).singleElement().extracting(Violation::message).asString()
                .contains("exposes the configured /var/run/buildkit/buildkitd.sock socket");

        Findings labels = new Findings(OciLabels.ID);
        r.get(OciLabels.ID).evaluate(pod, images, labels);
        assertThat(labels.violations()).singleElement().extracting(Violation::message).asString()
                .contains("lacks the OCI label org.opencontainers.image.source:")
                .doesNotContain("org.opencontainers.image.version");
    }
}
