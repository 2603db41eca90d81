package dev.customs.image.layers;

import java.util.ArrayList;
import java.util.List;

import dev.customs.rules.ImageVerdict.BuiltLayer;
import dev.customs.rules.LayerSecrets;

/**
 * Combines the verdicts of an image's layers, in order, into what the image holds: every secret file any layer added,
 * marked deleted when a later layer whites it out (a {@code .wh.} entry for it or for a directory above it, or an
 * opaque directory above it). A deleted file is still in the image: anyone who pulls it can read the layer.
 */
final class LayerFindings {

    private LayerFindings() {
    }

    /** The findings of {@code verdicts[i]} (null when layer i is not scanned) with layer i's index and instruction. */
    static List<LayerSecrets.Finding> combine(List<BuiltLayer> layers, List<LayerVerdict> verdicts) {
        List<LayerSecrets.Finding> out = new ArrayList<>();
        for (int i = 0; i < verdicts.size(); i++) {
            LayerVerdict v = verdicts.get(i);
            if (v == null) {
                continue;
            }
            for (LayerVerdict.File f : v.files()) {
                out.add(new LayerSecrets.Finding(f.path(), f.what(), i + 1, layers.get(i).createdBy(),
                        deletedLater(f.path(), verdicts, i)));
            }
        }
        return out;
    }

    private static boolean deletedLater(String path, List<LayerVerdict> verdicts, int layer) {
        for (int j = layer + 1; j < verdicts.size(); j++) {
            LayerVerdict later = verdicts.get(j);
            if (later == null) {
                continue;
            }
            for (String w : later.whiteouts()) {
                if (path.equals(w) || path.startsWith(w + "/")) {
                    return true;
                }
            }
            for (String d : later.opaqueDirs()) {
                if (d.isEmpty() || path.startsWith(d + "/")) {
                    return true;
                }
            }
        }
        return false;
    }
}
