package dev.customs.dockerfile;

/**
 * A here-document of a {@code RUN}, {@code COPY} or {@code ADD} instruction ({@code <<EOF ... EOF}).
 *
 * @param name the delimiter word, quotes removed
 * @param expand false when the delimiter was quoted ({@code <<'EOF'}), so variables in the content stay as written
 * @param chomp true for {@code <<-EOF}, which strips leading tabs from the content
 * @param content the lines up to the delimiter, each ending in a line feed (leading tabs stripped when chomped)
 * @param position where the {@code <<} is
 * @param firstLine the line the content starts on
 */
public record Heredoc(String name, boolean expand, boolean chomp, String content, Position position, int firstLine) {
}
