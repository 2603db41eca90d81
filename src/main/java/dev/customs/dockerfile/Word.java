package dev.customs.dockerfile;

/**
 * One argument of an instruction as written: its raw text (quotes, escapes and {@code $variables} not yet processed;
 * for an exec-form JSON element, the decoded string) and where it starts.
 *
 * @param text the argument's text
 * @param position where its first character is
 */
public record Word(String text, Position position) {
}
