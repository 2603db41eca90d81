package dev.customs.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Processes one Dockerfile word the way BuildKit does before an instruction runs: quotes are removed, the escape
 * character escapes, and {@code $NAME}, {@code ${NAME}} and the modifier forms ({@code ${NAME:-default}},
 * {@code ${NAME-default}}, {@code :+}, {@code +}, {@code :?}, {@code ?}, {@code #}, {@code ##}, {@code %},
 * {@code %%}, {@code /} and {@code //}) are replaced by the variable's value.
 *
 * <p>
 * A Dockerfile check cannot know everything a build will know, so a variable has one of three states: a known value
 * (an {@code ENV}, an {@code ARG} default, a {@code --build-arg}), unset, or unknown (a build argument without a default
 * that the build is expected to pass, or a variable the base image may set). An unknown value enters the result as
 * {@link #UNKNOWN} characters and its name is remembered, so a check can tell a decided value from one that depends on
 * the build. A build argument without a default counts as unset in the modifier forms: {@code ${TAG:-20}} is what
 * {@code docker build} uses without {@code --build-arg}, so it is {@code 20}.
 */
final class Substitution {

    /** Stands for a character of a value the check cannot know. */
    static final char UNKNOWN = '\uE000';

    /** A variable's value as the check sees it. */
    record Value(String text, Kind kind, String why) {
        enum Kind {
            KNOWN,
            /** a build argument without a default: unset unless the build passes it */
            ARGUMENT,
            /** decided outside the Dockerfile: the base image, the build platform */
            UNKNOWN
        }

        static Value known(String text) {
            return new Value(text, Kind.KNOWN, null);
        }

        static Value argument(String name) {
            return new Value(null, Kind.ARGUMENT, "build argument " + name + ", which has no default");
        }

        static Value unknown(String why) {
            return new Value(null, Kind.UNKNOWN, why);
        }
    }

    /** Looks a variable up; null when it is not set at all. */
    @FunctionalInterface
    interface Variables {
        Value get(String name);

        Variables NONE = name -> null;
    }

    /**
     * The processed word.
     *
     * @param text the value, with {@link #UNKNOWN} where a value could not be known
     * @param display the value as a reader should see it: unknown parts shown as {@code $NAME}
     * @param unknown why parts are unknown ("build argument TAG, which has no default"), in order, without repeats
     */
    record Result(String text, String display, List<String> unknown) {

        Result {
            unknown = List.copyOf(unknown);
        }

        boolean known() {
            return unknown.isEmpty();
        }
    }

    /** A word that cannot be processed: a bad substitution, an unterminated quote. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private final String s;
    private final char escape;
    private final Variables vars;
    private final boolean processQuotes;
    private int i;
    private final Set<String> unknown = new LinkedHashSet<>();

    private Substitution(String s, char escape, Variables vars, boolean processQuotes) {
        this.s = s;
        this.escape = escape;
        this.vars = vars;
        this.processQuotes = processQuotes;
    }

    /** Processes a word: quotes removed, escapes applied, variables replaced. */
    static Result word(String raw, char escape, Variables vars) throws Failure {
        return new Substitution(raw, escape, vars, true).run();
    }

    /**
     * Replaces variables only, leaving quotes and escapes as written: what BuildKit does to here-document content that
     * expands.
     */
    static Result variablesOnly(String raw, Variables vars) throws Failure {
        return new Substitution(raw, (char) 0, vars, false).run();
    }

    private Result run() throws Failure {
        StringBuilder text = new StringBuilder();
        StringBuilder display = new StringBuilder();
        stopOn((char) 0, text, display);
        return new Result(text.toString(), display.toString(), new ArrayList<>(unknown));
    }

    private boolean more() {
        return i < s.length();
    }

    private char peek() {
        return s.charAt(i);
    }

    /** Processes until {@code stop} (consumed) or the end when {@code stop} is 0. */
    private void stopOn(char stop, StringBuilder text, StringBuilder display) throws Failure {
        while (more()) {
            char c = peek();
            if (stop != 0 && c == stop) {
                i++;
                return;
            }
            if (c == '$') {
                dollar(text, display);
            } else if (processQuotes && c == '\'') {
                single(text, display);
            } else if (processQuotes && c == '"') {
                dbl(text, display);
            } else if (processQuotes && c == escape) {
                i++;
                if (!more()) {
                    break;
                }
                text.append(peek());
                display.append(peek());
                i++;
            } else {
                text.append(c);
                display.append(c);
                i++;
            }
        }
        if (stop != 0) {
            throw new Failure("unexpected end of statement while looking for matching " + stop);
        }
    }

    private void single(StringBuilder text, StringBuilder display) throws Failure {
        i++;
        while (more()) {
            char c = peek();
            i++;
            if (c == '\'') {
                return;
            }
            text.append(c);
            display.append(c);
        }
        throw new Failure("unexpected end of statement while looking for matching single-quote");
    }

    private void dbl(StringBuilder text, StringBuilder display) throws Failure {
        i++;
        while (more()) {
            char c = peek();
            if (c == '"') {
                i++;
                return;
            }
            if (c == '$') {
                dollar(text, display);
                continue;
            }
            i++;
            if (c == escape && more() && (peek() == '"' || peek() == '$' || peek() == escape)) {
                c = peek();
                i++;
            } else if (c == escape && !more()) {
                continue;
            }
            text.append(c);
            display.append(c);
        }
        throw new Failure("unexpected end of statement while looking for matching double-quote");
    }

    private String name() {
        StringBuilder n = new StringBuilder();
        if (more() && Character.isDigit(peek())) {
            while (more() && Character.isDigit(peek())) {
                n.append(peek());
                i++;
            }
            return n.toString();
        }
        if (more() && "@*#?-$!0".indexOf(peek()) >= 0) {
            return String.valueOf(s.charAt(i++));
        }
        while (more() && (Character.isLetterOrDigit(peek()) || peek() == '_')) {
            n.append(peek());
            i++;
        }
        return n.toString();
    }

    private void dollar(StringBuilder text, StringBuilder display) throws Failure {
        i++;
        if (!more() || peek() != '{') {
            String name = name();
            if (name.isEmpty()) {
                text.append('$');
                display.append('$');
                return;
            }
            plain(name, "$" + name, text, display);
            return;
        }
        int open = i - 1;
        i++;
        if (!more()) {
            throw new Failure("syntax error: missing '}'");
        }
        if (peek() == '{' || peek() == '}' || peek() == ':') {
            throw new Failure("syntax error: bad substitution");
        }
        String name = name();
        if (!more()) {
            throw new Failure("syntax error: missing '}'");
        }
        char op = s.charAt(i++);
        if (op == '}') {
            plain(name, "${" + name + "}", text, display);
            return;
        }
        boolean colon = false;
        if (op == ':') {
            colon = true;
            if (!more()) {
                throw new Failure("syntax error: missing '}'");
            }
            op = s.charAt(i++);
        }
        if (op == '/' && !colon) {
            replace(name, open, text, display);
            return;
        }
        if ("+-?#%".indexOf(op) < 0 || colon && (op == '#' || op == '%')) {
            throw new Failure("unsupported modifier (" + (colon ? ":" : "") + op + ") in substitution");
        }
        StringBuilder wordText = new StringBuilder();
        StringBuilder wordDisplay = new StringBuilder();
        int unknownBefore = unknown.size();
        stopOn('}', wordText, wordDisplay);
        boolean wordKnown = unknown.size() == unknownBefore;
        String written = s.substring(open, i);
        Value v = vars.get(name);
        boolean set = v != null && v.kind() != Value.Kind.ARGUMENT;
        if (v != null && v.kind() == Value.Kind.UNKNOWN || v != null && v.kind() == Value.Kind.ARGUMENT
                && (op == '?' || op == '#' || op == '%')) {
            unknownPart(written, v.why(), text, display);
            return;
        }
        String value = set ? v.text() : "";
        switch (op) {
            case '-' -> {
                if (!set || colon && value.isEmpty()) {
                    text.append(wordText);
                    display.append(wordDisplay);
                } else {
                    text.append(value);
                    display.append(value);
                }
            }
            case '+' -> {
                if (set && !(colon && value.isEmpty())) {
                    text.append(wordText);
                    display.append(wordDisplay);
                }
            }
            case '?' -> {
                if (!set || colon && value.isEmpty()) {
                    throw new Failure(name + ": " + (wordText.length() > 0 ? wordText
                            : colon ? "is not allowed to be empty" : "is not allowed to be unset"));
                }
                text.append(value);
                display.append(value);
            }
            default -> { // # and %
                if (!wordKnown) {
                    unknownPart(written, "a pattern that depends on an unknown value", text, display);
                    return;
                }
                String pattern = wordText.toString();
                boolean greedy = !pattern.isEmpty() && pattern.charAt(0) == op;
                if (greedy) {
                    pattern = pattern.substring(1);
                }
                String out = op == '#' ? trimPrefix(pattern, value, greedy) : trimSuffix(pattern, value, greedy);
                text.append(out);
                display.append(out);
            }
        }
    }

    private void replace(String name, int open, StringBuilder text, StringBuilder display) throws Failure {
        boolean all = more() && peek() == '/';
        if (all) {
            i++;
        }
        StringBuilder pattern = new StringBuilder();
        StringBuilder ignored = new StringBuilder();
        int unknownBefore = unknown.size();
        stopOn('/', pattern, ignored);
        StringBuilder replacement = new StringBuilder();
        stopOn('}', replacement, new StringBuilder());
        boolean wordsKnown = unknown.size() == unknownBefore;
        String written = s.substring(open, i);
        Value v = vars.get(name);
        if (v != null && v.kind() != Value.Kind.KNOWN || !wordsKnown) {
            unknownPart(written, v != null && v.why() != null ? v.why() : "an unknown value", text, display);
            return;
        }
        String value = v == null ? "" : v.text();
        Pattern re = Pattern.compile(globToRegex(pattern.toString(), false));
        java.util.regex.Matcher m = re.matcher(value);
        String out = all ? m.replaceAll(java.util.regex.Matcher.quoteReplacement(replacement.toString()))
                : m.find() ? value.substring(0, m.start()) + replacement + value.substring(m.end()) : value;
        text.append(out);
        display.append(out);
    }

    private void plain(String name, String written, StringBuilder text, StringBuilder display) {
        Value v = vars.get(name);
        if (v == null) {
            return; // unset: the empty string
        }
        if (v.kind() != Value.Kind.KNOWN) {
            unknownPart(written, v.why(), text, display);
            return;
        }
        text.append(v.text());
        display.append(v.text());
    }

    private void unknownPart(String written, String why, StringBuilder text, StringBuilder display) {
        text.append(UNKNOWN);
        display.append(written);
        unknown.add(why);
    }

    private static String trimPrefix(String pattern, String value, boolean greedy) {
        Pattern re = Pattern.compile("^" + globToRegex(pattern, greedy));
        java.util.regex.Matcher m = re.matcher(value);
        return m.find() ? value.substring(m.end()) : value;
    }

    private static String trimSuffix(String pattern, String value, boolean greedy) {
        // the shortest suffix is the longest prefix left over: try from the end
        if (greedy) {
            for (int k = 0; k <= value.length(); k++) {
                if (value.substring(k).matches(globToRegex(pattern, true))) {
                    return value.substring(0, k);
                }
            }
        } else {
            for (int k = value.length(); k >= 0; k--) {
                if (value.substring(k).matches(globToRegex(pattern, true))) {
                    return value.substring(0, k);
                }
            }
        }
        return value;
    }

    /** A shell pattern ({@code *}, {@code ?}, {@code [...]}) as a regular expression. */
    static String globToRegex(String glob, boolean greedy) {
        StringBuilder re = new StringBuilder();
        for (int k = 0; k < glob.length(); k++) {
            char c = glob.charAt(k);
            switch (c) {
                case '*' -> re.append(greedy ? ".*" : ".*?");
                case '?' -> re.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', k + 1);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        String set = glob.substring(k + 1, close);
                        re.append('[').append(set.startsWith("!") ? "^" + quoteSet(set.substring(1)) : quoteSet(set))
                                .append(']');
                        k = close;
                    }
                }
                case '\\' -> {
                    if (k + 1 < glob.length()) {
                        re.append(Pattern.quote(String.valueOf(glob.charAt(++k))));
                    } else {
                        re.append("\\\\");
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    private static String quoteSet(String set) {
        return set.replace("\\", "\\\\").replace("[", "\\[").replace("&", "\\&");
    }
}
