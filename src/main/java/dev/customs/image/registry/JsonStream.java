package dev.customs.image.registry;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reading a registry document token by token, keeping only what is asked for. A tree of a config of 8 MiB made of tiny
 * tokens takes some ten times its bytes in the heap; read so, it takes what Customs keeps of it ({@link ImageLimits})
 * and nothing else, and a count over a limit is known without building anything.
 *
 * <p>
 * The values read follow {@code JsonNode.asText(default)}: a string as it is, a number or boolean as its text, a
 * missing or null value the default, an object or array (skipped) the empty string.
 */
final class JsonStream {

    private JsonStream() {
    }

    /** The current value as text, skipping it when it is an object or array. */
    static String text(JsonParser p, String absent) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return absent;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
            return "";
        }
        return p.getText();
    }

    /** The current value as a long, or {@code absent} when it is not a number (an object or array is skipped). */
    static long number(JsonParser p, long absent) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            return (long) p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            try {
                return Long.parseLong(p.getText().strip());
            } catch (NumberFormatException e) {
                return absent;
            }
        }
        p.skipChildren();
        return absent;
    }

    /** The current value as a boolean: true, a non-zero number, or the string "true". */
    static boolean bool(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case VALUE_TRUE -> true;
            case VALUE_NUMBER_INT -> p.getLongValue() != 0;
            case VALUE_STRING -> "true".equalsIgnoreCase(p.getText().strip());
            default -> {
                p.skipChildren();
                yield false;
            }
        };
    }

    /**
     * Calls {@code field} with the parser on each field's value of the current object (the callee reads or skips
     * it); does nothing when the current value is not an object, after skipping it.
     */
    static void fields(JsonParser p, FieldReader field) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            field.read(name);
        }
    }

    /**
     * Calls {@code element} with the parser on each element of the current array, up to {@code limit}; past it, only
     * counts. Returns the number of elements (0 when the current value is not an array, which is skipped).
     */
    static long elements(JsonParser p, long limit, Reader element) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return 0;
        }
        long n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == null) {
                throw new IOException("the document ends inside an array");
            }
            n++;
            if (n <= limit) {
                element.read();
            } else {
                p.skipChildren();
            }
        }
        return n;
    }

    /**
     * The string-valued fields of the current object (other values are skipped), each through {@code keep}; past
     * {@code limit} fields, only counts them and calls {@code over} with the count at the end.
     */
    static Map<String, String> strings(JsonParser p, long limit, Consumer<Long> over, TextKeeper keep)
            throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        long[] n = { 0 };
        fields(p, name -> {
            n[0]++;
            if (n[0] <= limit && p.currentToken() == JsonToken.VALUE_STRING) {
                out.put(keep.keep(name), keep.keep(p.getText()));
            } else {
                p.skipChildren();
            }
        });
        if (n[0] > limit) {
            over.accept(n[0]);
        }
        return out;
    }

    @FunctionalInterface
    interface FieldReader {
        void read(String name) throws IOException;
    }

    @FunctionalInterface
    interface Reader {
        void read() throws IOException;
    }

    @FunctionalInterface
    interface TextKeeper {
        String keep(String s);
    }
}
