package dev.customs.image.layers;

import java.util.List;

/**
 * What one layer holds, as far as secrets go: a pure function of the layer's bytes, so it is computed once per layer
 * digest and cached. Paths have no leading slash.
 *
 * @param files the secret files the layer adds, in tar order
 * @param whiteouts the paths the layer deletes from lower layers ({@code .wh.<name>} entries)
 * @param opaqueDirs the directories whose lower-layer content the layer hides ({@code .wh..wh..opq})
 * @param capped whether the scan stopped at the byte cap (the findings then cover the layer's beginning only)
 * @param bytes the uncompressed tar bytes read
 */
public record LayerVerdict(List<File> files, List<String> whiteouts, List<String> opaqueDirs, boolean capped,
        long bytes) {

    /** One secret file: its path and what it holds ({@code npm credentials (.npmrc)}); never the value. */
    public record File(String path, String what) {
    }

    public LayerVerdict {
        files = List.copyOf(files);
        whiteouts = List.copyOf(whiteouts);
        opaqueDirs = List.copyOf(opaqueDirs);
    }

    /** An estimate of the verdict's size in memory, for the cache's weigher. */
    int weight() {
        int w = 64;
        for (File f : files) {
            w += 48 + 2 * (f.path().length() + f.what().length());
        }
        for (String s : whiteouts) {
            w += 40 + 2 * s.length();
        }
        for (String s : opaqueDirs) {
            w += 40 + 2 * s.length();
        }
        return w;
    }
}
