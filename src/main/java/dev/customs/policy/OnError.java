package dev.customs.policy;

/** What an image that cannot be inspected does to a request ({@code customs.registry.on-error}). */
public enum OnError {
    /** Allow silently. */
    ALLOW,
    /** Allow with an {@code [image-unverified]} warning. */
    WARN,
    /** Deny until the image can be inspected. */
    DENY
}
