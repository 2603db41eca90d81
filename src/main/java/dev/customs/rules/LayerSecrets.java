package dev.customs.rules;

import java.util.List;

/**
 * What the scan of one platform image's layer files found, as far as it got: the secret files, and whether every layer
 * was scanned. Layers are scanned once per digest and their verdicts cached, so this is assembled per review from
 * cached layer verdicts.
 *
 * @param status how complete the findings are
 * @param findings the secret files found, in layer order
 * @param capped layers whose scan stopped at the byte cap, as short digests; their findings are partial
 * @param reason for {@link Status#UNFINISHED}, why the scan did not finish (shown to users); otherwise ""
 */
public record LayerSecrets(Status status, List<Finding> findings, List<String> capped, String reason) {

    public enum Status {
        /** Layer scanning is switched off ({@code layers=off}), or the image has no layers to scan. */
        OFF,
        /** Every layer was scanned. */
        COMPLETE,
        /** Some layers are not scanned yet and were scheduled for a background scan; findings cover the rest. */
        PARTIAL,
        /** The scan of some layer did not finish within the budget, or failed ({@code layers=admission}). */
        UNFINISHED
    }

    /**
     * One secret file.
     *
     * @param path its path in the image, without a leading slash
     * @param what what it holds, e.g. {@code an npm registry _authToken}
     * @param layer the 1-based index of the layer that added it
     * @param createdBy the instruction that made that layer ("" when unknown)
     * @param deleted whether a later layer deleted it (it is still in the image)
     */
    public record Finding(String path, String what, int layer, String createdBy, boolean deleted) {
    }

    public LayerSecrets {
        findings = findings == null ? List.of() : List.copyOf(findings);
        capped = capped == null ? List.of() : List.copyOf(capped);
        reason = reason == null ? "" : reason;
    }

    public static final LayerSecrets OFF = new LayerSecrets(Status.OFF, List.of(), List.of(), "");
}
