package dev.customs.rules;

/**
 * One layer of an image manifest, as the manifest describes it: the digest of its (usually compressed) tar, the size
 * of that blob in bytes, and its media type. Layers are content-addressed like configs: a digest names the same bytes
 * in every image and registry that has it.
 *
 * @param digest the blob digest, {@code sha256:...}
 * @param size the blob size in bytes as the manifest declares it; {@code -1} when the manifest does not say
 * @param mediaType the layer's media type ({@code application/vnd.oci.image.layer.v1.tar+gzip}, ...), or {@code ""}
 */
public record Layer(String digest, long size, String mediaType) {

    public Layer {
        digest = digest == null ? "" : digest;
        mediaType = mediaType == null ? "" : mediaType;
    }
}
