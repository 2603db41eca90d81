package dev.customs.cli;

import java.util.Map;

/**
 * Where each field of one object stands in its file: field paths in the object's own coordinates
 * ({@code spec.containers[0].image}, the form of a finding's field) to the line and column of the key, or of the list
 * item. A path the file does not have (a finding about an unset field) is placed at its nearest written parent.
 */
public final class Locations {

    /** A line and column, both 1-based. */
    public record Position(int line, int column) {
    }

    static final Locations NONE = new Locations(Map.of(), "", new Position(0, 0));

    private final Map<String, Position> byPath;
    private final String prefix;
    private final Position start;

    /**
     * @param byPath positions of a whole document, by path from the document's root
     * @param prefix the object's own path in the document ({@code items[2]}), or "" when it is the document
     * @param start where the object starts
     */
    Locations(Map<String, Position> byPath, String prefix, Position start) {
        this.byPath = byPath;
        this.prefix = prefix;
        this.start = start;
    }

    /** Where the object starts. */
    public Position start() {
        return start;
    }

    /** Where a field is written, or its nearest written parent, or the object's start. */
    public Position of(String field) {
        String path = field == null ? "" : field;
        while (!path.isEmpty()) {
            Position p = byPath.get(prefix.isEmpty() ? path : prefix + "." + path);
            if (p == null && !prefix.isEmpty() && path.startsWith("[")) {
                p = byPath.get(prefix + path);
            }
            if (p != null) {
                return p;
            }
            path = parent(path);
        }
        return start;
    }

    private static String parent(String path) {
        int dot = path.lastIndexOf('.');
        int bracket = path.lastIndexOf('[');
        int cut = Math.max(dot, bracket);
        return cut <= 0 ? "" : path.substring(0, cut);
    }
}
