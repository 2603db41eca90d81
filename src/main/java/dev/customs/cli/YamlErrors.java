package dev.customs.cli;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Turns a YAML or JSON parse error into a {@link Problem} in the user's words, at the line and column where the
 * problem is. The parser's own messages name its internals ("expected &lt;block end&gt;, but found
 * '&lt;block mapping start&gt;'", event classes); the common mistakes get a sentence that says what to change.
 */
final class YamlErrors {

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");
    private static final Pattern CANNOT_START = Pattern.compile("found character '(.+?)' that cannot start any token.*");

    private YamlErrors() {
    }

    static Problem problem(String file, JsonProcessingException e) {
        MarkedYAMLException marked = marked(e);
        if (marked != null) {
            Mark start = marked.getContextMark();
            boolean unclosedQuote = String.valueOf(marked.getContext()).contains("quoted scalar");
            // an unclosed quote is found at the end of the file; the quote that opened it is the place to show
            Mark at = marked.getProblemMark() == null || unclosedQuote && start != null ? start
                    : marked.getProblemMark();
            int line = at == null ? 0 : at.getLine() + 1;
            int column = at == null ? 0 : at.getColumn() + 1;
            return new Problem(file, line, column,
                    words(marked.getContext(), marked.getProblem(), start == null ? null : start, e.getOriginalMessage()));
        }
        JsonLocation l = e.getLocation();
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher dup = DUPLICATE.matcher(message);
        String words;
        int column = l == null ? 0 : Math.max(0, l.getColumnNr());
        if (dup.find()) {
            words = "the key \"" + dup.group(1) + "\" appears twice in the same mapping; Kubernetes refuses that, "
                    + "remove one";
            column = Math.max(1, column - dup.group(1).length()); // the parser stands after the key
        } else if (message.startsWith("Expected a field name")) {
            words = "a key here is itself a { mapping }: quote a value that starts with {";
        } else if (message.contains("exceeds the limit")) {
            words = "the document is larger than customs check reads (" + ManifestReader.MAX_FILE / (1024 * 1024)
                    + " MiB)";
        } else {
            words = "not valid YAML or JSON: " + firstLine(message);
        }
        return new Problem(file, l == null ? 0 : Math.max(0, l.getLineNr()), column, words);
    }

    private static MarkedYAMLException marked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MarkedYAMLException m) {
                return m;
            }
        }
        return null;
    }

    /** The sentence for a SnakeYAML context ("while parsing a flow sequence") and problem. */
    private static String words(String context, String problem, Mark start, String fallback) {
        String c = context == null ? "" : context.toLowerCase(Locale.ROOT);
        String p = problem == null ? "" : problem;
        String from = start == null ? ""
                : " (it starts at line " + (start.getLine() + 1) + ", column "
                        + (start.getColumn() + 1) + ")";
        Matcher bad = CANNOT_START.matcher(p);
        if (bad.matches()) {
            String ch = bad.group(1);
            if (ch.startsWith("\\t")) {
                return "tabs are not allowed in YAML indentation: indent with spaces";
            }
            return "a value cannot start with " + ch + ": put the value in quotes";
        }
        if (p.startsWith("mapping values are not allowed here")) {
            return "a \"key: value\" is not allowed here: check this line's indentation, or quote a value that "
                    + "contains \": \"";
        }
        if (p.contains("found unexpected end of stream") && c.contains("quoted scalar")) {
            return "a quoted string is not closed" + from;
        }
        if (c.contains("flow sequence")) {
            return "a [ list ] is not closed, or an item in it is not separated by a comma" + from;
        }
        if (c.contains("flow mapping")) {
            return "a { mapping } is not closed, or an entry in it is not separated by a comma" + from;
        }
        if (c.contains("block collection")) {
            return "list items (\"- \") and \"key: value\" lines are mixed at the same indentation";
        }
        if (c.contains("block mapping") && p.contains("'<scalar>'")) {
            return "unexpected text after a value: quote the whole value, or check this line's indentation";
        }
        if (c.contains("block mapping")) {
            return "this line's indentation does not match the lines above it";
        }
        if (p.contains("found undefined alias") || c.contains("alias")) {
            return "an alias (*name) refers to an anchor (&name) that is not defined before it";
        }
        if (p.contains("could not find expected ':'")) {
            return "a key without \":\" (a multi-line key, or an unclosed quote above)" + from;
        }
        String text = !p.isEmpty() ? p : fallback == null ? "" : firstLine(fallback);
        return "not valid YAML: " + text.replaceAll("\\s*\\(Do not use .*? for indentation\\)", "");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        List<String> lines = s.lines().toList();
        return lines.isEmpty() ? "parse error" : lines.get(0);
    }
}
