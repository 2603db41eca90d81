package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** image-size's units, and how its messages show sizes and the instructions that made layers. */
class ImageSizeTest {

    @Test
    void sizesAreDecimalOrBinaryAsWritten() {
        assertThat(ImageSize.parse("500MB")).isEqualTo(500_000_000L);
        assertThat(ImageSize.parse("500M")).isEqualTo(500_000_000L);
        assertThat(ImageSize.parse("1.5GB")).isEqualTo(1_500_000_000L);
        assertThat(ImageSize.parse("800MiB")).isEqualTo(800L << 20);
        assertThat(ImageSize.parse("800Mi")).isEqualTo(800L << 20);
        assertThat(ImageSize.parse("2 gib")).isEqualTo(2L << 30);
        assertThat(ImageSize.parse("1048576")).isEqualTo(1_048_576L);
        assertThat(ImageSize.parse("10kB")).isEqualTo(10_000L);
        assertThatThrownBy(() -> ImageSize.parse("-5MB")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> ImageSize.parse("5 MBs")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> ImageSize.parse("99999999999TB")).hasMessageContaining("is not a positive size");
        assertThat(new ImageSize(null).limit()).isZero();
        assertThat(new ImageSize(" ").readsImage()).isFalse();
    }

    @Test
    void sizesAreShownAsRegistriesShowThem() {
        assertThat(ImageSize.format(939_200_000L)).isEqualTo("939.2 MB");
        assertThat(ImageSize.format(1_500_000_000L)).isEqualTo("1.50 GB");
        assertThat(ImageSize.format(12_345L)).isEqualTo("12.3 kB");
    }

    @Test
    void instructionsAreShortAndShowNoValues() {
        assertThat(instruction("RUN |1 NPM_TOKEN=npm_abc /bin/sh -c npm install # buildkit")).isEqualTo(
                "RUN npm install");
        assertThat(instruction("/bin/sh -c #(nop) ADD file:4b1e8b in / ")).isEqualTo("ADD file:4b1e8b in /");
        assertThat(instruction("/bin/sh -c apt-get update")).isEqualTo("RUN apt-get update");
        assertThat(instruction("RUN /bin/sh -c API_KEY=abc123 ./fetch.sh # buildkit")).isEqualTo(
                "RUN API_KEY=… ./fetch.sh");
        assertThat(instruction("")).isEqualTo("no history");
        assertThat(instruction("COPY " + "x".repeat(100) + " /app")).hasSize(60).endsWith("…");
    }

    private static String instruction(String createdBy) {
        return ImageSize.instruction(new ImageVerdict.BuiltLayer(new Layer("sha256:1", 1, ""), 0, createdBy));
    }
}
