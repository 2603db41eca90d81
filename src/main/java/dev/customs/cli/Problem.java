package dev.customs.cli;

/**
 * Something {@code customs check} could not read or use, where it is: a file (or {@code -}), and the 1-based line and
 * column when known (0 when not). Shown as {@code file:line:column: message}, the form editors and terminals link.
 *
 * @param file the file, directory or source as the user named it
 * @param line the line, or 0
 * @param column the column, or 0
 * @param message what is wrong, in the user's words
 */
public record Problem(String file, int line, int column, String message) {

    public static Problem of(String file, String message) {
        return new Problem(file, 0, 0, message);
    }

    /** {@code file:line:column}, leaving out what is not known. */
    public String where() {
        return file + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "");
    }

    @Override
    public String toString() {
        return where() + ": " + message;
    }
}
