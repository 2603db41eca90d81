package dev.customs.admission;

import java.util.Arrays;

/**
 * A denial's lines escaped once, into one array: the lines joined by {@code \n} as the body of a JSON string in UTF-8
 * ({@code status.message}), each line a slice of it (a cause's message).
 *
 * <p>
 * A line is escaped as Jackson's {@code JsonStringEncoder.quoteAsUTF8} escapes it, byte for byte: {@code "} and
 * {@code \} with a backslash, the control characters below U+0020 as {@code \b}, {@code \t}, {@code \n}, {@code \f},
 * {@code \r} or a backslash, {@code u} and four hex digits (upper-case), everything else as UTF-8, a surrogate pair as
 * one four-byte sequence.
 * A lone surrogate, which that encoder refuses, is not escaped here: {@link #add} says so and writes nothing.
 */
final class EscapedLines {

    private static final byte[] HEX = { '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E',
            'F' };

    /** Characters below 0x80 that are escaped: their second byte after the backslash, or 'u' for the hex form. */
    private static final byte[] ESCAPES = new byte[0x80];
    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
    }

    private byte[] bytes;
    private int length;
    private final int[] starts;
    private final int[] ends;
    private int lines;

    /**
     * @param lines how many lines will be added
     * @param chars how many characters they have in all: the array's first size is that and an eighth more (a
     *        line's quotes are escaped and its dashes take three bytes), enough for Customs' lines
     */
    EscapedLines(int lines, int chars) {
        this.bytes = new byte[16 + chars + chars / 8 + 2 * lines];
        this.starts = new int[lines];
        this.ends = new int[lines];
    }

    /** Adds a line, escaped; false, with nothing added, when it holds a lone surrogate. */
    boolean add(String line) {
        int mark = length;
        separate();
        int start = length;
        if (!escape(line)) {
            length = mark;
            return false;
        }
        starts[lines] = start;
        ends[lines] = length;
        lines++;
        return true;
    }

    /** Adds a line already escaped: the body of a JSON string, in UTF-8. */
    void addEscaped(byte[] escaped) {
        separate();
        room(escaped.length);
        starts[lines] = length;
        System.arraycopy(escaped, 0, bytes, length, escaped.length);
        length += escaped.length;
        ends[lines] = length;
        lines++;
    }

    /** Before every line but the first: the newline that joins them, as JSON writes it. */
    private void separate() {
        if (lines > 0) {
            room(2);
            bytes[length++] = '\\';
            bytes[length++] = 'n';
        }
    }

    /** The array all lines are in; valid up to {@link #length()}. */
    byte[] bytes() {
        return bytes;
    }

    /** The length of all lines joined. */
    int length() {
        return length;
    }

    /** Where line {@code i} starts in {@link #bytes()}. */
    int start(int i) {
        return starts[i];
    }

    /** The length of line {@code i}, escaped. */
    int length(int i) {
        return ends[i] - starts[i];
    }

    /**
     * Escapes {@code s} after what is already there; false when it holds a lone surrogate (what it wrote then is
     * undone by {@link #add}). Runs of characters written as they are, most of a line, are copied in one call.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int) keeps each char's low byte: exactly
                                     // right for a run below 0x80, and one array copy for a Latin-1 string
    private boolean escape(String s) {
        int n = s.length();
        byte[] b = bytes;
        int at = length;
        int i = 0;
        while (i < n) {
            // a run of characters written as they are: one byte each
            int run = i;
            char c = 0;
            while (run < n && (c = s.charAt(run)) < 0x80 && ESCAPES[c] == 0) {
                run++;
            }
            if (run > i) {
                if (at + (run - i) > b.length) {
                    b = Arrays.copyOf(b, Math.max(at + (run - i) + 16, b.length * 2));
                }
                s.getBytes(i, run, b, at);
                at += run - i;
                i = run;
                if (i == n) {
                    break;
                }
            }
            if (at + 6 > b.length) {
                b = Arrays.copyOf(b, Math.max(at + 16, b.length * 2));
            }
            if (c < 0x80) {
                byte e = ESCAPES[c];
                b[at++] = '\\';
                b[at++] = e;
                if (e == 'u') {
                    b[at++] = '0';
                    b[at++] = '0';
                    b[at++] = HEX[c >> 4];
                    b[at++] = HEX[c & 0xf];
                }
            } else if (c < 0x800) {
                b[at++] = (byte) (0xc0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3f));
            } else if (!Character.isSurrogate(c)) {
                b[at++] = (byte) (0xe0 | (c >> 12));
                b[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                b[at++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[at++] = (byte) (0xf0 | (cp >> 18));
                b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                b[at++] = (byte) (0x80 | (cp & 0x3f));
            } else {
                bytes = b;
                return false;
            }
            i++;
        }
        bytes = b;
        length = at;
        return true;
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + more, bytes.length * 2));
        }
    }
}
