package dev.customs.dockerfile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a Dockerfile the way BuildKit's Dockerfile frontend reads it, keeping the line and column of every
 * instruction and argument.
 *
 * <p>
 * What it follows: parser directives ({@code syntax}, {@code escape}, {@code check}) only on the leading comment lines,
 * each at most once; the escape character ({@code \}, or a backtick) ending a line continues it, and comment and blank
 * lines inside a continuation are skipped; leading whitespace of continuation lines is kept; builder flags
 * ({@code --name[=value]}) before the arguments; exec form when the arguments are a JSON array of strings, shell form
 * otherwise (a JSON array holding anything but strings is an error, anything that is not a JSON array is shell form, as
 * {@code CMD ['node']} is); the legacy {@code ENV KEY value} form; here-documents ({@code <<EOF}, {@code <<-EOF},
 * quoted delimiters, several per line) on {@code RUN}, {@code COPY} and {@code ADD}, also behind {@code ONBUILD}.
 * Errors name the file, line and column and say what is wrong.
 *
 * <p>
 * Input is bounded: the whole file ({@link #MAX_FILE}) and each physical line ({@link #MAX_LINE}, BuildKit's own
 * limit). Parsing uses no regular expression that can backtrack on user input beyond one line.
 */
public final class DockerfileParser {

    /** The largest Dockerfile read, in characters. */
    public static final int MAX_FILE = 4 * 1024 * 1024;
    /** The longest physical line, in characters; BuildKit refuses longer lines too. */
    public static final int MAX_LINE = 65_535;

    private static final Pattern DIRECTIVE = Pattern.compile("^([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Set<String> DIRECTIVES = Set.of("syntax", "escape", "check");
    private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9-_.]*");
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)\\s*([^<]*)$");
    private static final Set<String> KNOWN = Set.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
            "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");

    private final String file;
    private final String[] lines;
    private char escape = '\\';
    private int next;

    private DockerfileParser(String file, String[] lines) {
        this.file = file;
        this.lines = lines;
    }

    /**
     * Parses {@code text}, reporting errors against {@code file}.
     *
     * @throws DockerfileException when the Dockerfile is not valid, with the place and the reason
     */
    public static Dockerfile parse(String file, String text) throws DockerfileException {
        if (text.length() > MAX_FILE) {
            throw new DockerfileException(file, new Position(1, 1),
                    "the file is larger than " + MAX_FILE / (1024 * 1024) + " MiB, more than any Dockerfile needs");
        }
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<String> split = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            if (body.charAt(i) == '\n') {
                split.add(body.substring(start, i));
                start = i + 1;
            }
        }
        if (start < body.length()) {
            split.add(body.substring(start));
        }
        String[] lines = new String[split.size()];
        for (int i = 0; i < lines.length; i++) {
            String l = split.get(i);
            lines[i] = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
        }
        return new DockerfileParser(file, lines).run();
    }

    private Dockerfile run() throws DockerfileException {
        List<Directive> directives = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean directivesDone = false;
        List<Instruction> instructions = new ArrayList<>();
        while (next < lines.length) {
            int lineNo = next + 1;
            String raw = line(next);
            next++;
            int lead = leadingWhitespace(raw);
            String token = raw.substring(lead);
            if (!directivesDone) {
                Directive d = directive(token, lineNo, lead);
                if (d != null) {
                    if (!seen.add(d.name())) {
                        throw error(d.position(), "only one " + d.name() + " parser directive can be used");
                    }
                    if (d.name().equals("escape")) {
                        if (!d.value().equals("`") && !d.value().equals("\\")) {
                            throw error(d.position(), "invalid escape token '" + d.value() + "' does not match ` or \\");
                        }
                        escape = d.value().charAt(0);
                    }
                    directives.add(d);
                    continue;
                }
                directivesDone = true;
            }
            if (token.startsWith("#")) {
                continue;
            }
            Logical logical = new Logical();
            int[] kept = new int[1];
            boolean continued = continuation(token, kept);
            if (!continued && kept[0] == 0) {
                continue;
            }
            logical.append(token, kept[0], lineNo, lead + 1);
            int endLine = lineNo;
            while (continued && next < lines.length) {
                String l = line(next);
                endLine = ++next;
                String trimmed = l.substring(leadingWhitespace(l));
                if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                    continue;
                }
                continued = continuation(l, kept);
                logical.append(l, kept[0], endLine, 1);
            }
            Instruction instruction = instruction(logical, 0, endLine);
            instructions.add(instruction);
        }
        if (instructions.isEmpty()) {
            throw error(new Position(Math.max(1, lines.length), 1), "the file has no instructions");
        }
        return new Dockerfile(file, escape, directives, instructions);
    }

    private String line(int index) throws DockerfileException {
        String l = lines[index];
        if (l.length() > MAX_LINE) {
            throw error(new Position(index + 1, 1), "the line is longer than " + MAX_LINE + " characters");
        }
        return l;
    }

    /** A parser directive on a leading comment line, or null when the line is not one (which ends directives). */
    private static Directive directive(String token, int lineNo, int lead) {
        if (!token.startsWith("#")) {
            return null;
        }
        String rest = token.substring(1);
        rest = rest.substring(leadingWhitespace(rest));
        Matcher m = DIRECTIVE.matcher(rest);
        if (!m.matches()) {
            return null;
        }
        String name = m.group(1).toLowerCase(Locale.ROOT);
        if (!DIRECTIVES.contains(name)) {
            return null;
        }
        return new Directive(name, m.group(2), new Position(lineNo, lead + 1));
    }

    /**
     * Whether {@code text} ends in a line continuation: the escape character as the last character but spaces and
     * tabs, not itself escaped. Puts the length of the text to keep in {@code kept[0]}.
     */
    private boolean continuation(String text, int[] kept) {
        int k = text.length() - 1;
        while (k >= 0 && (text.charAt(k) == ' ' || text.charAt(k) == '\t')) {
            k--;
        }
        if (k >= 0 && text.charAt(k) == escape && (k == 0 || text.charAt(k - 1) != escape)) {
            kept[0] = k;
            return true;
        }
        kept[0] = text.length();
        return false;
    }

    private static int leadingWhitespace(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean separator(char c) {
        return c == ' ' || c == '\t' || c == '\u000b' || c == '\f' || c == '\r';
    }

    // ---- one instruction ----

    /**
     * Parses the instruction that starts at {@code from} in the logical line (after {@code ONBUILD}, its trigger), and
     * reads the here-documents it announces from the lines that follow.
     */
    private Instruction instruction(Logical l, int from, int endLine) throws DockerfileException {
        String s = l.text();
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        int keywordStart = i;
        while (i < s.length() && !separator(s.charAt(i))) {
            i++;
        }
        String keyword = s.substring(keywordStart, i).toUpperCase(Locale.ROOT);
        Position at = l.position(keywordStart);
        if (!KNOWN.contains(keyword)) {
            throw error(at, "unknown instruction " + printable(s.substring(keywordStart, i))
                    + suggestion(keyword));
        }
        while (i < s.length() && separator(s.charAt(i))) {
            i++;
        }
        List<Flag> flags = new ArrayList<>();
        int argsStart = flags(l, i, flags);
        int argsEnd = s.length();
        while (argsEnd > argsStart && Character.isWhitespace(s.charAt(argsEnd - 1))) {
            argsEnd--;
        }
        while (argsStart < argsEnd && Character.isWhitespace(s.charAt(argsStart))) {
            argsStart++;
        }
        Args args = new Args(l, argsStart, argsEnd);
        return switch (keyword) {
            case "FROM" -> from(at, endLine, flags, args);
            case "ARG" -> arg(at, endLine, flags, args);
            case "ENV", "LABEL" -> keyValues(keyword, at, endLine, flags, args);
            case "USER" -> new Instruction.User(at, endLine, flags, exactlyOne(keyword, at, args));
            case "CMD", "ENTRYPOINT", "RUN", "SHELL" -> command(keyword, at, endLine, flags, args);
            case "COPY", "ADD" -> copy(keyword, at, endLine, flags, args);
            case "HEALTHCHECK" -> healthcheck(at, endLine, flags, args);
            case "ONBUILD" -> onbuild(at, flags, args, endLine, l);
            case "WORKDIR", "STOPSIGNAL", "MAINTAINER" ->
                new Instruction.Other(keyword, at, endLine, flags, List.of(exactlyOne(keyword, at, args)));
            default -> { // EXPOSE, VOLUME
                List<Word> words = args.isEmpty() ? List.of() : maybeJsonList(args, keyword);
                if (words.isEmpty()) {
                    throw error(at, keyword + " requires at least one argument");
                }
                yield new Instruction.Other(keyword, at, endLine, flags, words);
            }
        };
    }

    /**
     * Reads builder flags from {@code i}; returns where the arguments start. A flag is a word starting with
     * {@code --}; quotes inside it are removed and the escape character takes the next character literally; a word of
     * just {@code --} ends the flags.
     */
    private int flags(Logical l, int i, List<Flag> out) {
        String s = l.text();
        while (true) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i + 1 >= s.length() || s.charAt(i) != '-' || s.charAt(i + 1) != '-') {
                return i;
            }
            int start = i;
            StringBuilder word = new StringBuilder();
            char quote = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (quote == 0 && Character.isWhitespace(c)) {
                    break;
                }
                if (quote == 0 && (c == '"' || c == '\'')) {
                    quote = c;
                } else if (quote != 0 && c == quote) {
                    quote = 0;
                } else if (c == escape) {
                    if (i + 1 < s.length()) {
                        word.append(s.charAt(++i));
                    }
                } else {
                    word.append(c);
                }
                i++;
            }
            if (word.toString().equals("--")) {
                return i;
            }
            String w = word.substring(2);
            int eq = w.indexOf('=');
            out.add(eq < 0 ? new Flag(w, null, l.position(start))
                    : new Flag(w.substring(0, eq), w.substring(eq + 1), l.position(start)));
        }
    }

    private Instruction from(Position at, int endLine, List<Flag> flags, Args args) throws DockerfileException {
        List<Word> words = args.whitespaceWords();
        if (words.size() == 3 && words.get(1).text().equalsIgnoreCase("as")) {
            Word alias = words.get(2);
            if (!STAGE_NAME.matcher(alias.text().toLowerCase(Locale.ROOT)).matches()) {
                throw error(alias.position(), "invalid name for build stage: \"" + printable(alias.text())
                        + "\", name can't start with a number or contain symbols");
            }
            return new Instruction.From(at, endLine, flags, words.get(0), alias);
        }
        if (words.size() != 1) {
            throw error(words.isEmpty() ? at : words.get(0).position(),
                    "FROM requires either one or three arguments (FROM image [AS name])");
        }
        return new Instruction.From(at, endLine, flags, words.get(0), null);
    }

    private Instruction arg(Position at, int endLine, List<Flag> flags, Args args) throws DockerfileException {
        List<Word> words = args.quotedWords(escape);
        if (words.isEmpty()) {
            throw error(at, "ARG requires at least one argument");
        }
        List<Instruction.Declaration> declarations = new ArrayList<>();
        for (Word w : words) {
            int eq = w.text().indexOf('=');
            if (eq == 0) {
                throw error(w.position(), "ARG names can not be blank");
            }
            if (eq < 0) {
                declarations.add(new Instruction.Declaration(w, null));
            } else {
                declarations.add(new Instruction.Declaration(new Word(w.text().substring(0, eq), w.position()),
                        new Word(w.text().substring(eq + 1), args.positionAfter(w, eq + 1))));
            }
        }
        return new Instruction.Arg(at, endLine, flags, declarations);
    }

    private Instruction keyValues(String keyword, Position at, int endLine, List<Flag> flags, Args args)
            throws DockerfileException {
        List<Word> words = args.quotedWords(escape);
        if (words.isEmpty()) {
            throw error(at, keyword + " requires at least one argument");
        }
        List<Instruction.Pair> pairs = new ArrayList<>();
        if (words.get(0).text().indexOf('=') < 0) {
            // legacy form: KEY value, where the value is the rest of the line
            List<Word> parts = args.whitespaceWords();
            if (parts.size() < 2) {
                throw error(parts.get(0).position(), keyword + " must have two arguments (" + keyword
                        + " key=value, or the legacy " + keyword + " key value)");
            }
            Word value = args.restFrom(parts.get(1));
            pairs.add(new Instruction.Pair(parts.get(0), value));
        } else {
            for (Word w : words) {
                int eq = w.text().indexOf('=');
                if (eq < 0) {
                    throw error(w.position(), "can't find = in \"" + printable(w.text())
                            + "\"; write it as name=value");
                }
                if (eq == 0) {
                    throw error(w.position(), keyword + " names can not be blank");
                }
                pairs.add(new Instruction.Pair(new Word(w.text().substring(0, eq), w.position()),
                        new Word(w.text().substring(eq + 1), args.positionAfter(w, eq + 1))));
            }
        }
        return new Instruction.KeyValues(keyword, at, endLine, flags, pairs);
    }

    private Word exactlyOne(String keyword, Position at, Args args) throws DockerfileException {
        if (args.isEmpty()) {
            throw error(at, keyword + " requires exactly one argument");
        }
        return args.whole();
    }

    private Instruction command(String keyword, Position at, int endLine, List<Flag> flags, Args args)
            throws DockerfileException {
        Instruction.CommandLine line = maybeJson(args, keyword);
        if (keyword.equals("SHELL") && !line.json()) {
            throw error(at, "SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/bash\", \"-c\"]");
        }
        if ((keyword.equals("SHELL") || keyword.equals("RUN")) && line.args().isEmpty()) {
            throw error(at, keyword + " requires at least one argument");
        }
        List<Heredoc> heredocs = keyword.equals("RUN") && !line.json() ? heredocs(args) : List.of();
        return new Instruction.Command(keyword, at, heredocs.isEmpty() ? endLine : next, flags, line, heredocs);
    }

    private Instruction copy(String keyword, Position at, int endLine, List<Flag> flags, Args args)
            throws DockerfileException {
        List<Word> json = args.startsWithJsonArray() ? parseJson(args, keyword) : null;
        List<Word> words = json != null ? json : args.whitespaceWords();
        if (words.size() < 2) {
            throw error(words.isEmpty() ? at : words.get(0).position(), keyword
                    + " requires at least two arguments (sources and a destination)");
        }
        List<Heredoc> heredocs = json != null ? List.of() : heredocs(args);
        return new Instruction.Copy(keyword, at, heredocs.isEmpty() ? endLine : next, flags,
                words.subList(0, words.size() - 1), words.get(words.size() - 1), heredocs);
    }

    private Instruction healthcheck(Position at, int endLine, List<Flag> flags, Args args)
            throws DockerfileException {
        List<Word> words = args.whitespaceWords();
        if (words.isEmpty()) {
            throw error(at, "HEALTHCHECK requires an argument: NONE, or CMD and a command");
        }
        Word type = words.get(0);
        String t = type.text().toUpperCase(Locale.ROOT);
        Args rest = args.after(type);
        if (t.equals("NONE")) {
            if (!rest.isEmpty()) {
                throw error(words.get(1).position(), "HEALTHCHECK NONE takes no arguments");
            }
            return new Instruction.Healthcheck(at, endLine, flags, type, Instruction.CommandLine.EMPTY);
        }
        if (!t.equals("CMD")) {
            throw error(type.position(), "unknown type \"" + printable(type.text()) + "\" in HEALTHCHECK (try CMD)");
        }
        Instruction.CommandLine line = maybeJson(rest, "HEALTHCHECK");
        if (line.args().isEmpty()) {
            throw error(at, "missing command after HEALTHCHECK CMD");
        }
        return new Instruction.Healthcheck(at, endLine, flags, type, line);
    }

    private Instruction onbuild(Position at, List<Flag> flags, Args args, int endLine, Logical l)
            throws DockerfileException {
        if (args.isEmpty()) {
            throw error(at, "ONBUILD requires at least one argument");
        }
        Instruction trigger = instruction(l, args.start(), endLine);
        String k = trigger.keyword();
        if (k.equals("ONBUILD")) {
            throw error(trigger.position(), "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        }
        if (k.equals("FROM") || k.equals("MAINTAINER")) {
            throw error(trigger.position(), k + " isn't allowed as an ONBUILD trigger");
        }
        return new Instruction.Onbuild(at, trigger.endLine(), flags, trigger);
    }

    private Instruction.CommandLine maybeJson(Args args, String keyword) throws DockerfileException {
        if (args.isEmpty()) {
            return Instruction.CommandLine.EMPTY;
        }
        List<Word> json = args.startsWithJsonArray() ? parseJson(args, keyword) : null;
        return json != null ? new Instruction.CommandLine(true, json)
                : new Instruction.CommandLine(false, List.of(args.whole()));
    }

    private List<Word> maybeJsonList(Args args, String keyword) throws DockerfileException {
        List<Word> json = args.startsWithJsonArray() ? parseJson(args, keyword) : null;
        return json != null ? json : args.whitespaceWords();
    }

    /** The elements of a JSON array of strings, or null when the arguments are not a JSON array. */
    private List<Word> parseJson(Args args, String keyword) throws DockerfileException {
        JsonArray a = new JsonArray(args.text());
        List<int[]> spans = new ArrayList<>();
        List<String> values = new ArrayList<>();
        int outcome = a.parse(values, spans);
        if (outcome == JsonArray.INVALID) {
            return null;
        }
        if (outcome == JsonArray.NOT_STRINGS) {
            throw error(args.position(0), "when using JSON array syntax (" + keyword
                    + " [\"...\"]), arrays must be comprised of strings only");
        }
        List<Word> words = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            words.add(new Word(values.get(i), args.position(spans.get(i)[0])));
        }
        return words;
    }

    // ---- here-documents ----

    /** Reads the here-documents the line announces, from the lines after it. */
    private List<Heredoc> heredocs(Args args) throws DockerfileException {
        if (args.text().indexOf("<<") < 0) {
            return List.of();
        }
        List<Heredoc> out = new ArrayList<>();
        for (Word w : args.heredocWords()) {
            Matcher m = HEREDOC.matcher(w.text());
            if (!m.matches() || m.group(3).isEmpty()) {
                continue;
            }
            boolean chomp = m.group(2).equals("-");
            String rest = m.group(3);
            if (rest.chars().anyMatch(Character::isWhitespace) && !quoted(rest)) {
                continue; // not a single word
            }
            boolean expand = rest.indexOf('"') < 0 && rest.indexOf('\'') < 0;
            String name = unquote(rest);
            int firstLine = next + 1;
            StringBuilder content = new StringBuilder();
            boolean terminated = false;
            while (next < lines.length) {
                String l = line(next);
                next++;
                String candidate = chomp ? stripLeadingTabs(l) : l;
                if (candidate.equals(name)) {
                    terminated = true;
                    break;
                }
                content.append(chomp ? stripLeadingTabs(l) : l).append('\n');
            }
            if (!terminated) {
                throw error(w.position(), "unterminated heredoc: no line \"" + printable(name)
                        + "\" ends the here-document started here");
            }
            out.add(new Heredoc(name, expand, chomp, content.toString(), w.position(), firstLine));
        }
        return out;
    }

    private static boolean quoted(String s) {
        return s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"));
    }

    private static String unquote(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '"' && c != '\'') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String stripLeadingTabs(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '\t') {
            i++;
        }
        return s.substring(i);
    }

    // ---- errors ----

    private DockerfileException error(Position at, String problem) {
        return new DockerfileException(file, at, problem);
    }

    static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 60 ? t.substring(0, 60) + "…" : t;
    }

    private static String suggestion(String keyword) {
        String best = null;
        int bestDistance = 3;
        for (String k : KNOWN) {
            int d = distance(keyword, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 20) {
            return 99;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---- the logical line ----

    /** One instruction's text with continuations joined, and where each of its characters was written. */
    static final class Logical {
        private final StringBuilder text = new StringBuilder();
        private int[] lineOf = new int[64];
        private int[] columnOf = new int[64];

        void append(String s, int length, int line, int firstColumn) {
            if (text.length() + length > lineOf.length) {
                int size = Math.max(lineOf.length * 2, text.length() + length);
                lineOf = java.util.Arrays.copyOf(lineOf, size);
                columnOf = java.util.Arrays.copyOf(columnOf, size);
            }
            for (int i = 0; i < length; i++) {
                lineOf[text.length()] = line;
                columnOf[text.length()] = firstColumn + i;
                text.append(s.charAt(i));
            }
        }

        String text() {
            return text.toString();
        }

        /** Where the character at {@code offset} was written; the end of the text is just after the last one. */
        Position position(int offset) {
            if (text.length() == 0) {
                return new Position(1, 1);
            }
            if (offset >= text.length()) {
                return new Position(lineOf[text.length() - 1], columnOf[text.length() - 1] + 1);
            }
            return new Position(lineOf[offset], columnOf[offset]);
        }
    }

    /** The arguments of one instruction: a span of the logical line. */
    final class Args {
        private final Logical l;
        private final int start;
        private final int end;
        private final String text;

        Args(Logical l, int start, int end) {
            this.l = l;
            this.start = start;
            this.end = end;
            this.text = l.text().substring(start, end);
        }

        String text() {
            return text;
        }

        int start() {
            return start;
        }

        boolean isEmpty() {
            return text.isEmpty();
        }

        Position position(int relative) {
            return l.position(start + relative);
        }

        Word whole() {
            return new Word(text, position(0));
        }

        boolean startsWithJsonArray() {
            return text.startsWith("[");
        }

        /** The arguments after a word (and the whitespace after it). */
        Args after(Word w) {
            int rel = offsetOf(w) + w.text().length();
            int s = start + rel;
            while (s < end && Character.isWhitespace(l.text().charAt(s))) {
                s++;
            }
            return new Args(l, s, end);
        }

        /** The text from a word to the end of the arguments, as one word. */
        Word restFrom(Word w) {
            return new Word(text.substring(offsetOf(w)), w.position());
        }

        /** The position of the character {@code skip} characters into a word. */
        Position positionAfter(Word w, int skip) {
            return position(offsetOf(w) + skip);
        }

        private final java.util.Map<Word, Integer> offsets = new java.util.IdentityHashMap<>();

        private int offsetOf(Word w) {
            Integer o = offsets.get(w);
            if (o == null) {
                throw new IllegalStateException("not a word of these arguments: " + w);
            }
            return o;
        }

        private Word word(int from, int to) {
            Word w = new Word(text.substring(from, to), position(from));
            offsets.put(w, from);
            return w;
        }

        /** Words separated by spaces and tabs, as BuildKit splits FROM, EXPOSE and the shell form of COPY. */
        List<Word> whitespaceWords() {
            List<Word> out = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                while (i < text.length() && separator(text.charAt(i))) {
                    i++;
                }
                int s = i;
                while (i < text.length() && !separator(text.charAt(i))) {
                    i++;
                }
                if (i > s) {
                    out.add(word(s, i));
                }
            }
            return out;
        }

        /**
         * Words separated by whitespace outside quotes, with quotes and escapes kept in the text, as BuildKit splits
         * ENV, LABEL and ARG. The escape character keeps the next character in the word, even a quote or a space.
         */
        List<Word> quotedWords(char esc) {
            return words(esc, false);
        }

        /**
         * Words as BuildKit looks for here-documents in: quote-aware, and {@code <<} followed by spaces stays with the
         * word after it ({@code << EOF}).
         */
        List<Word> heredocWords() {
            return words('\\', true);
        }

        private List<Word> words(char esc, boolean heredocs) {
            List<Word> out = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                if (i >= text.length()) {
                    break;
                }
                int s = i;
                char quote = 0;
                while (i < text.length()) {
                    char c = text.charAt(i);
                    if (quote == 0 && Character.isWhitespace(c)) {
                        break;
                    }
                    if (heredocs && quote == 0 && c == '<' && i + 1 < text.length() && text.charAt(i + 1) == '<') {
                        i += 2;
                        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                            i++;
                        }
                        continue;
                    }
                    if (c == esc && quote != '\'' && i + 1 < text.length()) {
                        i += 2;
                        continue;
                    }
                    if (quote == 0 && (c == '"' || c == '\'')) {
                        quote = c;
                    } else if (c == quote) {
                        quote = 0;
                    }
                    i++;
                }
                out.add(word(s, i));
            }
            return out;
        }
    }
}
