package dev.customs.image.registry;

/**
 * Why an image could not be read from its registry. The message is shown to users as the reason an image is
 * unverified, so it names hosts and digests but never a credential, a token or a URL query. Carries no stack trace:
 * these are expected outcomes, not bugs.
 */
public final class RegistryFailure extends RuntimeException {

    /** What kind of failure it is; only {@link #UNAVAILABLE} and {@link #BUSY} let a stale tag keep serving. */
    public enum Kind {
        /** The registry answered that the manifest or blob does not exist. */
        NOT_FOUND,
        /** The registry requires credentials we do not have, or refused the ones we sent. */
        UNAUTHORIZED,
        /** Customs refused to contact the host (blocked network, metadata host, downgrade). */
        REFUSED,
        /** The registry answered something unusable: digest mismatch, too large, unsupported format. */
        INVALID,
        /** The registry could not be reached or failed: connect error, timeout, 429, 5xx. */
        UNAVAILABLE,
        /**
         * Customs itself is at a limit: the host's connection pool and its waiting queue are full, or the lookup
         * workers' queue is. Back-pressure, not a fact about the image or the registry: never remembered as a failure.
         */
        BUSY
    }

    private final Kind kind;

    public RegistryFailure(Kind kind, String reason) {
        super(reason, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** True when the failure may pass by itself, so the last known good answer may keep serving. */
    public boolean transientFailure() {
        return kind == Kind.UNAVAILABLE || kind == Kind.BUSY;
    }

    /** The failure behind {@code e}, unwrapping completion wrappers; anything unexpected becomes UNAVAILABLE. */
    static RegistryFailure of(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RegistryFailure f) {
            return f;
        }
        if (t instanceof java.util.concurrent.RejectedExecutionException) {
            return new RegistryFailure(Kind.BUSY, "Customs is busy: too many image lookups at once");
        }
        return new RegistryFailure(Kind.UNAVAILABLE, "inspection failed: " + t.getClass().getSimpleName());
    }
}
