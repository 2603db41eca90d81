package dev.customs.cli;

/**
 * Input that {@code customs check} cannot use: a file that cannot be read or parsed (the message names the file and
 * line), or an invalid configuration. Exit code 2.
 */
public final class InputError extends Exception {

    private static final long serialVersionUID = 1L;

    public InputError(String message) {
        super(message, null, false, false);
    }
}
