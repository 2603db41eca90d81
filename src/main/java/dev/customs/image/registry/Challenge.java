package dev.customs.image.registry;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code WWW-Authenticate} challenge: its scheme ({@code bearer} or {@code basic}, lower case) and parameters
 * ({@code realm}, {@code service}, {@code scope}). Only the first challenge of the header is read.
 */
record Challenge(String scheme, Map<String, String> params) {

    Challenge {
        params = Map.copyOf(params);
    }

    boolean bearer() {
        return scheme.equals("bearer");
    }

    boolean basic() {
        return scheme.equals("basic");
    }

    String param(String name) {
        return params.get(name);
    }

    /** Parses {@code Bearer realm="...",service="...",scope="a,b"}; empty when there is nothing usable. */
    static Optional<Challenge> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String h = header.strip();
        int sp = h.indexOf(' ');
        String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new HashMap<>();
        int i = sp < 0 ? h.length() : sp + 1;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
                i++;
            }
            int eq = h.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = h.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            if (name.contains(" ")) {
                break; // the start of a second challenge
            }
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < h.length() && h.charAt(i) == '"') {
                i++;
                while (i < h.length() && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) {
                        i++;
                    }
                    value.append(h.charAt(i++));
                }
                i++;
            } else {
                while (i < h.length() && h.charAt(i) != ',') {
                    value.append(h.charAt(i++));
                }
            }
            params.put(name, value.toString().strip());
        }
        return Optional.of(new Challenge(scheme, params));
    }
}
