package dev.customs.image.layers;

import java.io.IOException;
import java.io.InputStream;

import dev.customs.rules.Layer;

/** Where a layer's blob is read from: the image's repository, with its credentials. */
@FunctionalInterface
public interface LayerSource {

    /**
     * Opens the layer's blob for reading, blocking until the answer's headers arrived. The stream fails with an
     * {@link IOException} at its end when the bytes do not hash to the layer's digest. The caller closes it.
     */
    InputStream open(Layer layer) throws IOException;
}
