package dev.customs.rules;

/**
 * An OCI platform: {@code os}, {@code architecture} and optional {@code variant}, as in an image index or config.
 * Printed as {@code linux/arm64/v8}.
 */
public record Platform(String os, String architecture, String variant) {

    public static final Platform UNKNOWN = new Platform("unknown", "unknown", null);

    public static Platform of(String os, String architecture) {
        return new Platform(os, architecture, null);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
    }
}
