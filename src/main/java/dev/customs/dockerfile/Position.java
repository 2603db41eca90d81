package dev.customs.dockerfile;

/**
 * A place in a Dockerfile: 1-based line and column. Columns count UTF-16 code units from the start of the physical
 * line (a tab is one column), as SARIF counts them by default.
 */
public record Position(int line, int column) implements Comparable<Position> {

    public Position {
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("positions are 1-based: " + line + ":" + column);
        }
    }

    @Override
    public int compareTo(Position o) {
        return line != o.line ? Integer.compare(line, o.line) : Integer.compare(column, o.column);
    }

    /** {@code 12:5}. */
    @Override
    public String toString() {
        return line + ":" + column;
    }
}
