package dev.customs.rules;

/**
 * One layer of a platform image, as its manifest lists it, with the {@code history} instruction that made it.
 *
 * @param digest the layer blob's digest
 * @param size its compressed size in bytes, as the manifest declares it
 * @param mediaType its media type ({@code application/vnd.oci.image.layer.v1.tar+gzip}, ...)
 * @param createdBy the build instruction that made it (the history entry for the layer), or "" when unknown
 */
public record Layer(String digest, long size, String mediaType, String createdBy) {
    public Layer {
        mediaType = mediaType == null ? "" : mediaType;
        createdBy = createdBy == null ? "" : createdBy;
    }
}
