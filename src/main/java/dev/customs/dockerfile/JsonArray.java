package dev.customs.dockerfile;

import java.util.List;

/**
 * Reads the exec form of an instruction: a JSON array, as Go's {@code encoding/json} accepts it (whitespace, escapes,
 * nothing after the closing bracket), recording where each string element starts. Iterative and linear in the input,
 * so a hostile line costs no more than its length.
 */
final class JsonArray {

    /** The text is a JSON array of strings. */
    static final int STRINGS = 0;
    /** The text is a JSON array with an element that is not a string: an error in a Dockerfile. */
    static final int NOT_STRINGS = 1;
    /** The text is not a JSON array: the instruction is in shell form. */
    static final int INVALID = 2;

    private final String s;
    private int i;

    JsonArray(String s) {
        this.s = s;
    }

    /** Parses the whole text; on {@link #STRINGS}, {@code values} and {@code spans} ({start, end}) hold the elements. */
    int parse(List<String> values, List<int[]> spans) {
        skipSpace();
        if (!eat('[')) {
            return INVALID;
        }
        boolean strings = true;
        skipSpace();
        if (!eat(']')) {
            while (true) {
                skipSpace();
                int start = i;
                if (peek() == '"') {
                    String v = string();
                    if (v == null) {
                        return INVALID;
                    }
                    values.add(v);
                    spans.add(new int[] { start, i });
                } else {
                    if (!value()) {
                        return INVALID;
                    }
                    strings = false;
                }
                skipSpace();
                if (eat(',')) {
                    continue;
                }
                if (eat(']')) {
                    break;
                }
                return INVALID;
            }
        }
        skipSpace();
        if (i != s.length()) {
            return INVALID;
        }
        return strings ? STRINGS : NOT_STRINGS;
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : 0;
    }

    private boolean eat(char c) {
        if (peek() == c && i < s.length()) {
            i++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    /** A string at {@code i} (on the opening quote), decoded; null when malformed. */
    private String string() {
        i++;
        StringBuilder sb = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                return null;
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) {
                return null;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        return null;
                    }
                    int cp = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i++), 16);
                        if (d < 0) {
                            return null;
                        }
                        cp = cp * 16 + d;
                    }
                    sb.append((char) cp);
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Skips any JSON value that is not a top-level string element: a number, a literal, or a nested array or object
     * (walked with an explicit depth counter, not recursion). False when malformed.
     */
    private boolean value() {
        char c = peek();
        if (c == '[' || c == '{') {
            int depth = 0;
            StringBuilder open = new StringBuilder();
            while (i < s.length()) {
                skipSpace();
                char d = peek();
                if (d == '"') {
                    if (string() == null) {
                        return false;
                    }
                } else if (d == '[' || d == '{') {
                    open.append(d);
                    depth++;
                    i++;
                } else if (d == ']' || d == '}') {
                    if (depth == 0 || open.charAt(depth - 1) != (d == ']' ? '[' : '{')) {
                        return false;
                    }
                    open.setLength(--depth);
                    i++;
                    if (depth == 0) {
                        return true;
                    }
                } else if (d == ',' || d == ':') {
                    i++;
                } else if (!scalar()) {
                    return false;
                }
            }
            return false;
        }
        return scalar();
    }

    private boolean scalar() {
        for (String literal : new String[] { "true", "false", "null" }) {
            if (s.startsWith(literal, i)) {
                i += literal.length();
                return true;
            }
        }
        int start = i;
        if (peek() == '-') {
            i++;
        }
        int digits = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == digits) {
            i = start;
            return false;
        }
        if (peek() == '.') {
            i++;
            int frac = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == frac) {
                return false;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            int exp = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            return i > exp;
        }
        return true;
    }
}
