package dev.customs.admission;

/**
 * The request body is not a usable AdmissionReview. The message is shown to the caller as is: it says what is wrong in
 * plain words and never echoes a field value.
 */
public final class BadAdmissionRequest extends Exception {

    private static final long serialVersionUID = 1L;

    public BadAdmissionRequest(String message) {
        super(message, null, false, false);
    }
}
