package dev.customs.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.customs.rules.ContainerView;
import dev.customs.rules.ImageFacts;
import dev.customs.rules.ImageLookup;
import dev.customs.rules.ImageReference;
import dev.customs.rules.PodView;

class ImageResolverTest {

    @Test
    void factsTheInspectorKnowsNowAreTakenAsTheyAreAndTheRestInspected() {
        List<String> inspected = new CopyOnWriteArrayList<>();
        ImageInspector inspector = new ImageInspector() {
            @Override
            public CompletionStage<ImageFacts> inspect(ImageReference reference, ImageRequest request) {
                inspected.add(reference.original());
                return CompletableFuture.completedFuture(new ImageFacts.Unavailable("inspected"));
            }

            @Override
            public ImageFacts known(ImageReference reference, ImageRequest request) {
                return reference.original().equals("warm:1") ? new ImageFacts.Unavailable("known") : null;
            }
        };
        List<ContainerView> containers = List.of(
                ContainerView.of(ContainerView.Kind.REGULAR, 0, "warm", "warm:1", "spec"),
                ContainerView.of(ContainerView.Kind.REGULAR, 1, "cold", "cold:1", "spec"),
                ContainerView.of(ContainerView.Kind.REGULAR, 2, "again", "warm:1", "spec"),
                ContainerView.of(ContainerView.Kind.REGULAR, 3, "none", "", "spec"),
                ContainerView.of(ContainerView.Kind.REGULAR, 4, "bad", "Bad:1", "spec"));
        PodView pod = new PodView("Pod", "shop", "p", "spec", PodView.Spec.EMPTY, containers, false);

        ImageLookup images = new ImageResolver(inspector, Duration.ofSeconds(5)).resolve(pod).join();

        assertThat(reason(images.factsFor(containers.get(0)))).isEqualTo("known");
        assertThat(reason(images.factsFor(containers.get(1)))).isEqualTo("inspected");
        assertThat(reason(images.factsFor(containers.get(2)))).isEqualTo("known");
        assertThat(reason(images.factsFor(containers.get(3)))).isEqualTo("the container has no image");
        assertThat(reason(images.factsFor(containers.get(4)))).startsWith("invalid image reference");
        assertThat(inspected).as("only what the inspector did not know, once").containsExactly("cold:1");
    }

    private static String reason(ImageFacts facts) {
        return ((ImageFacts.Unavailable) facts).reason();
    }
}
