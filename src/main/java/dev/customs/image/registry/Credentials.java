package dev.customs.image.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A registry user name and password (or token used as one). {@link #toString()} never shows the password, so a
 * credential that ends up in a log line or exception message leaks nothing.
 */
public record Credentials(String username, String password) {

    /** The {@code Authorization} header value for HTTP basic authentication. */
    String basicHeader() {
        return "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A key that tells credentials apart in caches without holding the password in clear. */
    String cacheKey() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((username + "\0" + password).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=<redacted>]";
    }
}
