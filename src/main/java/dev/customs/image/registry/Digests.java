package dev.customs.image.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.customs.image.registry.RegistryFailure.Kind;

/** Content digests: computing {@code sha256:<hex>} and checking fetched content against the digest it was asked by. */
final class Digests {

    private Digests() {
    }

    static String sha256(byte[] content) {
        return "sha256:" + hex("SHA-256", content);
    }

    /** Throws a "digest mismatch" failure unless {@code content} hashes to {@code expected} (sha256 or sha512). */
    static void verify(String expected, byte[] content, String what) {
        int colon = expected.indexOf(':');
        String algorithm = colon < 0 ? "" : expected.substring(0, colon);
        String actual = switch (algorithm) {
            case "sha256" -> "sha256:" + hex("SHA-256", content);
            case "sha512" -> "sha512:" + hex("SHA-512", content);
            default -> throw new RegistryFailure(Kind.INVALID, "unsupported digest algorithm \"" + algorithm + "\"");
        };
        if (!actual.equals(expected)) {
            throw new RegistryFailure(Kind.INVALID, "digest mismatch: the " + what + " fetched as " + shortDigest(expected)
                    + " hashes to " + shortDigest(actual));
        }
    }

    static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return colon >= 0 && digest.length() > colon + 13 ? digest.substring(0, colon + 13) + "…" : digest;
    }

    private static String hex(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
