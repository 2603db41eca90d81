package dev.customs.kube;

/**
 * An API request that did not succeed: the HTTP status (0 when there was no answer) and the API server's message, never
 * a request or response body that could carry object contents.
 */
public final class KubeApiException extends Exception {

    /** The code of an answer refused because it was larger than the caller allowed. */
    public static final int TOO_LARGE = -1;

    private final int code;
    private final String continueToken;

    public KubeApiException(int code, String message, String continueToken) {
        super(message);
        this.code = code;
        this.continueToken = continueToken;
    }

    public KubeApiException(int code, String message) {
        this(code, message, null);
    }

    /**
     * The HTTP status; 0 when the request failed without an answer (connection, timeout); {@link #TOO_LARGE} when the
     * answer was larger than allowed.
     */
    public int code() {
        return code;
    }

    /** For a 410 on an expired list continuation: the token the API server offers to go on, inconsistently. */
    public String continueToken() {
        return continueToken;
    }
}
