package dev.customs.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an image config says on its own, judged once per config digest and cached beside the config: the part of an
 * {@link ImageVerdict} that needs neither the manifest nor a pod. See {@link ImageVerdict} for the contract.
 *
 * @param user the config's {@code User}, classified
 * @param process the default process ({@code Entrypoint + Cmd}) and what the entrypoint does with arguments
 * @param labelKeys the keys of the config's {@code Labels} that have a non-blank value
 * @param secrets the credentials in {@code Env} and {@code history}, in the order found (the {@code leaked-secret}
 *        scan), without values
 * @param layerHistory the indexes of the history entries that made a layer (not {@code empty_layer}), in order
 * @param layerInstructions the {@code created_by} of those entries, in the same order
 * @param base the base image the labels name, or empty
 */
public record ConfigVerdict(ImageVerdict.User user, ImageVerdict.Process process, Set<String> labelKeys,
        List<ImageVerdict.Secret> secrets, List<Integer> layerHistory, List<String> layerInstructions,
        Optional<ImageVerdict.Base> base) {

    public ConfigVerdict {
        labelKeys = Set.copyOf(labelKeys);
        secrets = List.copyOf(secrets);
        layerHistory = List.copyOf(layerHistory);
        layerInstructions = List.copyOf(layerInstructions);
        if (layerHistory.size() != layerInstructions.size()) {
            throw new IllegalArgumentException("one instruction per layer-making history entry");
        }
    }

    /** Judges a config: pure, total, and the only place image content is analysed. */
    public static ConfigVerdict judge(ImageConfig config) {
        Set<String> keys = new HashSet<>();
        config.labels().forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                keys.add(k);
            }
        });
        List<Integer> made = new ArrayList<>();
        List<String> instructions = new ArrayList<>();
        for (int i = 0; i < config.history().size(); i++) {
            ImageConfig.History h = config.history().get(i);
            if (!h.emptyLayer()) {
                made.add(i);
                instructions.add(h.createdBy());
            }
        }
        String baseName = ImageVerdict.nonBlank(config.labels().get(ImageVerdict.BASE_NAME));
        String baseDigest = ImageVerdict.nonBlank(config.labels().get(ImageVerdict.BASE_DIGEST));
        Optional<ImageVerdict.Base> base = baseName == null && baseDigest == null ? Optional.empty()
                : Optional.of(ImageVerdict.Base.of(baseName, baseDigest));
        return new ConfigVerdict(ImageVerdict.User.of(config.user()),
                ImageVerdict.Process.of(config.entrypoint(), config.cmd()), keys, LeakedSecret.scan(config), made,
                instructions, base);
    }
}
