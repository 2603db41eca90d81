package dev.customs.admission;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;

/**
 * A copy of a JSON factory whose parsers of UTF-8 bytes can pass over an array, object or string by its bytes alone,
 * without tokenizing or decoding it: {@link #skipRaw(JsonParser)}. What a review skips — an object's
 * {@code managedFields}, several KB of nested field names on every real review, and its
 * {@code last-applied-configuration} annotation, a string of several KB with an escape every few bytes — then costs a
 * scan of its bytes, eight at a time where it can, instead of a token per name, each name hashed and looked up in the
 * symbol table as Jackson's own {@code skipChildren} does, or a call per escape as Jackson's skipping of a string
 * makes when the JIT does not inline it.
 *
 * <p>
 * The scan matches brackets by kind, passes over strings (their escapes included) and refuses a control character in a
 * string, a byte outside a string that no JSON value holds, nesting deeper than {@value ReviewReader#MAX_DEPTH}
 * levels, and input that ends inside the value: malformed input is a parse error, as it is for what is read. Within
 * those, what is skipped is not validated token by token (a misplaced comma passes): it is discarded unread, and what
 * follows it is parsed as before. Input in another encoding, with a byte order mark, or when the factory does not
 * canonicalize names is parsed by the factory's own parser, which skips as Jackson does.
 */
final class RawSkipFactory extends JsonFactory {

    private static final long serialVersionUID = 1L;

    /** Eight bytes of an array at a time, in the order they are in the array (any offset). */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
    /** Added to each byte's low seven bits, carries into its high bit exactly when those bits are 0x20 or more. */
    private static final long FROM_SPACE = 0x6060606060606060L;

    /** Bytes that may stand outside a string in a JSON value: whitespace, punctuation, number and literal characters. */
    private static final boolean[] BARE = new boolean[128];

    static {
        for (char c : " \t\r\n,:-+.0123456789eEtrufalsn".toCharArray()) {
            BARE[c] = true;
        }
    }

    RawSkipFactory(JsonFactory source) {
        super(source, source.getCodec());
    }

    @Override
    protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
        if (len < 4 || !plainUtf8(data, offset) || !isEnabled(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                || _inputDecorator != null) {
            return super._createParser(data, offset, len, ctxt);
        }
        return new Parser(ctxt, _parserFeatures, this, data, offset, offset + len);
    }

    /** UTF-8 without a byte order mark: what Jackson's own detection takes as UTF-8 (no zero byte in the first four). */
    private static boolean plainUtf8(byte[] data, int offset) {
        if ((data[offset] & 0xFF) == 0xEF) {
            return false;
        }
        for (int i = offset; i < offset + 4; i++) {
            if (data[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Passes over the rest of the array or object the parser's current token starts, leaving the parser on its end as
     * {@code skipChildren} does, or over the string it starts, leaving the parser after it with its text unread (and
     * empty); any other token is left as it is. A parser this factory did not make skips as Jackson does.
     */
    static void skipRaw(JsonParser p) throws IOException {
        if (p instanceof Parser raw) {
            raw.skipRaw();
        } else {
            p.skipChildren();
        }
    }

    /**
     * The high bit of each of the eight bytes of {@code w} that is a quote, a backslash or a control character (below
     * 0x20), and no other bit. Exact per byte: no byte's sum carries into the next.
     */
    static long special(long w) {
        long q = w ^ QUOTES;
        long s = w ^ BACKSLASHES;
        long quote = ~(((q & LOW7) + LOW7) | q);
        long backslash = ~(((s & LOW7) + LOW7) | s);
        long control = ~(((w & LOW7) + FROM_SPACE) | w);
        return (quote | backslash | control) & ~LOW7;
    }

    private static final class Parser extends UTF8StreamJsonParser {

        Parser(IOContext ctxt, int features, RawSkipFactory factory, byte[] data, int start, int end) {
            super(ctxt, features, null, factory.getCodec(),
                    factory._byteSymbolCanonicalizer.makeChild(factory._factoryFeatures), data, start, end, 0,
                    false);
        }

        void skipRaw() throws IOException {
            JsonToken t = _currToken;
            if (t == JsonToken.VALUE_STRING && _tokenIncomplete) {
                // the parser stands just after the opening quote, the text not yet read
                _inputPtr = afterString(_inputBuffer, _inputPtr, _inputEnd);
                _tokenIncomplete = false;
                _textBuffer.resetWithEmpty();
                return;
            }
            if (t != JsonToken.START_ARRAY && t != JsonToken.START_OBJECT) {
                return;
            }
            byte[] b = _inputBuffer;
            int end = _inputEnd;
            // the kinds of the brackets open, innermost last: true for an object
            boolean[] open = new boolean[16];
            int depth = 0;
            open[0] = t == JsonToken.START_OBJECT;
            int i = _inputPtr;
            while (i < end) {
                int c = b[i++] & 0xFF;
                switch (c) {
                    case '"':
                        i = afterString(b, i, end);
                        break;
                    case '[', '{':
                        if (++depth >= ReviewReader.MAX_DEPTH) {
                            throw new JsonParseException(this, "nesting deeper than " + ReviewReader.MAX_DEPTH
                                    + " levels");
                        }
                        if (depth == open.length) {
                            open = java.util.Arrays.copyOf(open, open.length * 2);
                        }
                        open[depth] = c == '{';
                        break;
                    case ']', '}':
                        if (open[depth] != (c == '}')) {
                            throw new JsonParseException(this, "unexpected close marker '" + (char) c + "'");
                        }
                        if (--depth < 0) {
                            _inputPtr = i;
                            _parsingContext = _parsingContext.clearAndGetParent();
                            _currToken = c == '}' ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
                            return;
                        }
                        break;
                    default:
                        if (c >= 128 || !BARE[c]) {
                            throw new JsonParseException(this, "unexpected character (code " + c + ")");
                        }
                }
            }
            throw new JsonParseException(this, "unexpected end of input in a skipped value");
        }

        /**
         * The index after the string whose opening quote is just before {@code i}: eight bytes at a time, going through
         * the quotes, backslashes and control characters among them from the first; byte by byte in the last few.
         */
        private int afterString(byte[] b, int i, int end) throws JsonParseException {
            words: while (i + 8 <= end) {
                long special = special((long) LONGS.get(b, i));
                while (special != 0) {
                    int k = Long.numberOfTrailingZeros(special) >>> 3;
                    int c = b[i + k] & 0xFF;
                    if (c == '"') {
                        return i + k + 1;
                    }
                    if (c != '\\') {
                        throw controlCharacter(c);
                    }
                    // an escape: the byte after the backslash is passed over, whatever it is
                    if (k >= 6) {
                        i += k + 2;
                        continue words;
                    }
                    special &= -1L << (8 * (k + 2));
                }
                i += 8;
            }
            while (i < end) {
                int c = b[i++] & 0xFF;
                if (c == '"') {
                    return i;
                }
                if (c == '\\') {
                    i++;
                } else if (c < 0x20) {
                    throw controlCharacter(c);
                }
            }
            throw new JsonParseException(this, "unexpected end of input in a string");
        }

        private JsonParseException controlCharacter(int c) {
            return new JsonParseException(this, "illegal unquoted character (code " + c + ") in a string");
        }
    }
}
