package dev.customs.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code shell-form-entrypoint}: a container whose PID 1 is a shell running a script, or a package manager running a
 * script. A shell as PID 1 does not forward SIGTERM to its child, so the app never hears {@code kubectl delete} or
 * {@code docker stop} and is killed when the grace period ends.
 *
 * <p>
 * Reads the container's {@code command} and {@code args} and the image config's {@code Entrypoint} and {@code Cmd}.
 * The effective argv is {@code command + args} when {@code command} is set, otherwise {@code Entrypoint} + ({@code args}
 * if set, else {@code Cmd}). What becomes PID 1 is found by looking through the programs that hand over to their
 * arguments with {@code exec}, keeping the same process: {@code env [NAME=value...]}, {@code exec}, {@code gosu} and
 * {@code su-exec} (after their user), the entrypoint scripts of official images that end in {@code exec "$@"}
 * ({@code docker-entrypoint.sh} of node, redis, postgres, mysql, mariadb, mongo, rabbitmq; nginx's
 * {@code /docker-entrypoint.sh}; php's {@code docker-php-entrypoint}; eclipse-temurin's {@code __cacert_entrypoint.sh}),
 * also when a shell runs one of them as a file, and a shell whose {@code -c} script is {@code exec} of a plain command.
 * So {@code FROM node} with {@code CMD ["npm", "start"]} is {@code npm} as PID 1, and a shell-form {@code CMD} behind
 * such an entrypoint is a shell as PID 1.
 *
 * <p>
 * Fails when PID 1 is {@code sh}, {@code bash}, {@code ash}, {@code dash}, {@code zsh} or {@code ksh} (any path) with a
 * {@code -c} option (also clustered, {@code -ec}), unless the script hands over with {@code exec}; and when it is
 * {@code npm}, {@code yarn}, {@code pnpm} or {@code npx} running a script. An init process ({@code tini},
 * {@code dumb-init}, {@code catatonit}) passes wherever it appears: it forwards signals. An option as the first
 * argument of an official entrypoint runs the image's own server ({@code redis-server --appendonly yes}), which passes.
 * The message names the entrypoints looked through.
 */
public final class ShellFormEntrypoint implements Rule {

    public static final String ID = "shell-form-entrypoint";

    private static final Set<String> SHELLS = Set.of("sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox");
    private static final Set<String> INITS = Set.of("tini", "tini-static", "dumb-init", "catatonit", "docker-init");
    /**
     * Official images' entrypoint scripts that prepare the container and then {@code exec "$@"}, so their arguments
     * become PID 1 (checked against the scripts in the docker-library, nginx and adoptium repositories).
     */
    private static final Set<String> HANDOVER_SCRIPTS = Set.of("docker-entrypoint.sh", "docker-php-entrypoint",
            "__cacert_entrypoint.sh");
    /** Programs that exec their command after one argument, the user to run as. */
    private static final Set<String> USER_SWITCHERS = Set.of("gosu", "su-exec");
    private static final Set<String> NPM_SCRIPT_COMMANDS = Set.of("start", "run", "run-script", "rum", "urn", "test",
            "tst", "t", "restart", "stop", "exec", "x");
    private static final Set<String> YARN_BUILTINS = Set.of("add", "install", "remove", "upgrade", "info", "list",
            "config", "cache", "init", "link", "unlink", "version", "why", "audit", "import", "pack", "publish", "login",
            "logout", "outdated", "owner", "tag", "team", "global", "bin", "check", "licenses", "help", "--version",
            "-v", "--help", "-h", "node");
    /** Hand-overs followed at most; a longer chain is not something an image does. */
    private static final int MAX_HANDOVERS = 8;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean readsImage() {
        return true;
    }

    @Override
    public void evaluate(PodView pod, ImageLookup images, Findings out) {
        List<ContainerView> containers = pod.containers();
        for (int i = 0; i < containers.size(); i++) { // indexed: an iterator per rule and review is garbage
            ContainerView c = containers.get(i);
            if (!c.command().isEmpty()) {
                ARGS.command(c.command(), c.args())
                        .ifPresent(f -> report(out, c, c.field("command"), f, "from command", ""));
                continue;
            }
            ImageFacts facts = images.factsFor(c);
            if (!(facts instanceof ImageFacts.Resolved resolved)) {
                out.unverified(c, facts);
                continue;
            }
            // the image's own argv was analysed with its verdict; only a pod's args make new work
            List<String> args = c.args();
            for (var g : PlatformGroups.of(resolved, args.isEmpty() ? IMAGE_OWN : new WithArgs(args))) {
                String source = args.isEmpty() ? "from the image's ENTRYPOINT/CMD" : "from the image's ENTRYPOINT and args";
                String field = args.isEmpty() ? c.field("image") : c.field("args");
                report(out, c, field, g.outcome(), source, g.suffix());
            }
        }
    }

    /** The outcome for an image's own ENTRYPOINT and CMD, analysed when its verdict was made. */
    private static final Function<PlatformImage, Optional<Finding>> IMAGE_OWN = p -> p.verdict().process()
            .shellForm();

    /**
     * The outcome for a pod's args after each platform's ENTRYPOINT, analysed once for each run of platforms with the
     * same ENTRYPOINT (an image's platforms mostly share one), not once per platform.
     */
    private static final class WithArgs implements Function<PlatformImage, Optional<Finding>> {
        private final List<String> args;
        private List<String> entrypoint;
        private Optional<Finding> outcome;

        WithArgs(List<String> args) {
            this.args = args;
        }

        @Override
        public Optional<Finding> apply(PlatformImage p) {
            ImageVerdict.Process process = p.verdict().process();
            if (outcome == null || !process.entrypoint().equals(entrypoint)) {
                entrypoint = process.entrypoint();
                outcome = ARGS.outcome(process, args);
            }
            return outcome;
        }
    }

    private static final ArgsMemo ARGS = new ArgsMemo();

    /**
     * The outcomes of a pod's args after an image's ENTRYPOINT, and of a pod's own command and args, remembered: a
     * workload's pods bring the same ones on every review (after the same entrypoint, the cached verdict's list). A
     * direct-mapped table of {@link #SLOTS} entries, each replaced by the next that maps to its slot; an argv of more
     * than {@link #MAX_CHARS} characters is analysed every time instead, so the table never holds more than
     * {@code SLOTS} small entries (under 200 KiB in all). An entry is immutable and read without a lock: a reader sees
     * it whole or sees another.
     */
    static final class ArgsMemo {
        static final int SLOTS = 64;
        static final int MAX_CHARS = 512;

        /** {@code head}: an image's ENTRYPOINT, compared by identity, or a pod's command (a copy), by its strings. */
        private record Entry(List<String> head, boolean image, List<String> args, Optional<Finding> outcome) {
        }

        private final Entry[] slots = new Entry[SLOTS];

        /** The outcome of a pod's {@code args} after the image's ENTRYPOINT. */
        Optional<Finding> outcome(ImageVerdict.Process process, List<String> args) {
            List<String> entrypoint = process.entrypoint();
            if (chars(entrypoint, args) > MAX_CHARS) {
                return analyse(process.argvWith(args));
            }
            int slot = slot(System.identityHashCode(entrypoint), args);
            Entry e = slots[slot];
            if (e != null && e.image() && e.head() == entrypoint && e.args().equals(args)) {
                return e.outcome();
            }
            Optional<Finding> outcome = analyse(process.argvWith(args));
            slots[slot] = new Entry(entrypoint, true, List.copyOf(args), outcome);
            return outcome;
        }

        /** The outcome of a pod's own {@code command} and {@code args}. */
        Optional<Finding> command(List<String> command, List<String> args) {
            if (chars(command, args) > MAX_CHARS) {
                return analyse(concat(command, args));
            }
            int slot = slot(command.hashCode(), args);
            Entry e = slots[slot];
            if (e != null && !e.image() && e.head().equals(command) && e.args().equals(args)) {
                return e.outcome();
            }
            Optional<Finding> outcome = analyse(concat(command, args));
            slots[slot] = new Entry(List.copyOf(command), false, List.copyOf(args), outcome);
            return outcome;
        }

        private static int slot(int head, List<String> args) {
            int h = head * 31 + args.hashCode();
            return (h ^ (h >>> 16)) & (SLOTS - 1);
        }

        /** The characters of both lists, counted only as far as past the most remembered. */
        private static int chars(List<String> head, List<String> args) {
            int chars = 0;
            for (int i = 0; i < head.size() && chars <= MAX_CHARS; i++) {
                chars += head.get(i).length();
            }
            for (int i = 0; i < args.size() && chars <= MAX_CHARS; i++) {
                chars += args.get(i).length();
            }
            return chars;
        }
    }

    /**
     * What PID 1 is and why it does not forward signals, with the two parts of a message that follow from it rendered
     * when it is made: an image's own finding is made once, with its verdict, and every review of the image only joins
     * them to the container's subject. Equal when PID 1, what was looked through and why are.
     */
    public static final class Finding {
        private final List<String> pid1;
        private final List<String> through;
        private final String why;
        private final String shown;
        private final String via;

        /**
         * @param pid1 the argv of the process that ends up as PID 1
         * @param through the programs looked through to get there, in order ({@code docker-entrypoint.sh})
         * @param why why it leaves a shell or package manager as PID 1
         */
        public Finding(List<String> pid1, List<String> through, String why) {
            this.pid1 = List.copyOf(pid1);
            this.through = List.copyOf(through);
            this.why = why;
            this.shown = show(this.pid1);
            this.via = this.through.isEmpty() ? ""
                    : ", after " + String.join(" and ", this.through) + (this.through.size() == 1 ? " hands" : " hand")
                            + " over with exec";
        }

        /** The argv of the process that ends up as PID 1. */
        public List<String> pid1() {
            return pid1;
        }

        /** The programs looked through to get there, in order. */
        public List<String> through() {
            return through;
        }

        /** Why it leaves a shell or package manager as PID 1. */
        public String why() {
            return why;
        }

        /** {@link #pid1()} as a message shows it ({@link ShellFormEntrypoint#show}). */
        public String shown() {
            return shown;
        }

        /**
         * What was looked through, as a message says it ({@code ", after docker-entrypoint.sh hands over with exec"}),
         * or empty.
         */
        public String via() {
            return via;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Finding f && pid1.equals(f.pid1) && through.equals(f.through) && why.equals(f.why);
        }

        @Override
        public int hashCode() {
            return Objects.hash(pid1, through, why);
        }

        @Override
        public String toString() {
            return "Finding[pid1=" + pid1 + ", through=" + through + ", why=" + why + "]";
        }
    }

    private static void report(Findings out, ContainerView c, String field, Finding f, String source, String suffix) {
        out.violation(c, field, c.subject() + " runs " + f.shown() + " as PID 1 (" + source + f.via() + ")" + suffix
                + ": " + f.why(),
                "use exec form so the app is PID 1, e.g. command: [\"node\", \"server.js\"] or CMD "
                        + "[\"node\", \"server.js\"] in the Dockerfile; or start the script with exec, or run an init "
                        + "such as tini first");
    }

    /** Why argv leaves a shell or package manager as PID 1, or empty when it does not. */
    static Optional<String> check(List<String> argv) {
        return analyse(argv).map(Finding::why);
    }

    /**
     * What becomes PID 1 of an effective argv, looking through programs that hand over with exec, and whether that
     * leaves a shell or package manager as PID 1. A pure function of the argv: it is what an image verdict and a
     * Dockerfile's planned image are checked with too.
     */
    public static Optional<Finding> analyse(List<String> argv) {
        List<String> a = argv;
        List<String> through = new ArrayList<>();
        for (int hops = 0; hops <= MAX_HANDOVERS && !a.isEmpty(); hops++) {
            String prog = basename(a.get(0));
            if (INITS.contains(prog)) {
                return Optional.empty();
            }
            Step next = handOver(a, prog);
            if (next == null) {
                break;
            }
            through.add(next.looked());
            a = next.argv();
        }
        if (a.isEmpty()) {
            return Optional.empty();
        }
        List<String> pid1 = a;
        return why(a).map(w -> new Finding(pid1, through, w));
    }

    /** One hand-over: what was looked through, as the message names it, and the argv it execs. */
    private record Step(String looked, List<String> argv) {
    }

    /** The hand-over of a program to its arguments with exec, or null when it does not (or it cannot be known). */
    private static Step handOver(List<String> a, String prog) {
        if (prog.equals("env") || prog.equals("exec")) {
            return new Step(prog, prog.equals("env") ? afterEnv(a) : a.subList(1, a.size()));
        }
        if (USER_SWITCHERS.contains(prog)) {
            return a.size() > 2 ? new Step(prog, a.subList(2, a.size())) : null;
        }
        if (HANDOVER_SCRIPTS.contains(prog)) {
            return new Step(prog, a.subList(1, a.size()));
        }
        if (!SHELLS.contains(prog) || prog.equals("busybox")) {
            return null; // busybox sh -c is judged as the shell it runs
        }
        Optional<String> script = shellScript(a);
        if (script.isPresent()) {
            List<String> exec = execScript(script.get(), a);
            return exec == null ? null : new Step(prog + " -c", exec);
        }
        // a shell running an official entrypoint file: "sh /docker-entrypoint.sh nginx -g ..."
        int i = 1;
        while (i < a.size() && a.get(i).startsWith("-") && !a.get(i).equals("-")) {
            i++;
        }
        if (i < a.size() && HANDOVER_SCRIPTS.contains(basename(a.get(i)))) {
            return new Step(basename(a.get(i)), a.subList(i + 1, a.size()));
        }
        return null;
    }

    /**
     * The argv a {@code -c} script hands over to when it is {@code exec} of a plain command ({@code exec node app.js})
     * or of its positional parameters ({@code exec "$@"}, whose {@code $0} is the argument after the script); null
     * when it does anything else, or uses expansions whose value cannot be known here.
     */
    private static List<String> execScript(String script, List<String> a) {
        String s = script.strip();
        if (!firstWord(s).equals("exec")) {
            return null;
        }
        String rest = s.substring(4).strip();
        if (rest.equals("\"$@\"") || rest.equals("$@")) {
            // sh -c 'exec "$@"' $0 $1 ...: the arguments after the script's $0
            int at = a.indexOf(script);
            return a.subList(Math.min(at + 2, a.size()), a.size());
        }
        if (rest.isEmpty() || rest.chars().anyMatch(ch -> "$`;&|<>(){}\\\n*?".indexOf(ch) >= 0)) {
            return null;
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        for (char ch : rest.toCharArray()) {
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    word.append(ch);
                }
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
            } else if (Character.isWhitespace(ch)) {
                if (word.length() > 0) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(ch);
            }
        }
        if (quote != 0) {
            return null;
        }
        if (word.length() > 0) {
            words.add(word.toString());
        }
        return words;
    }

    /** Why PID 1 is a shell or package manager that does not forward signals, or empty when it is not. */
    private static Optional<String> why(List<String> argv) {
        List<String> a = argv;
        String prog = basename(a.get(0));
        if (prog.equals("busybox") && a.size() > 1 && SHELLS.contains(a.get(1))) {
            a = a.subList(1, a.size());
            prog = a.get(0);
        }
        if (SHELLS.contains(prog) && !prog.equals("busybox")) {
            String shell = prog;
            return shellScript(a).filter(script -> !firstWord(script).equals("exec"))
                    .map(script -> shell + " -c does not forward SIGTERM to the script's processes, so they are "
                            + "killed after the grace period instead of shutting down cleanly");
        }
        if (prog.equals("npx") || (prog.equals("npm") && firstArg(a).filter(NPM_SCRIPT_COMMANDS::contains).isPresent())
                || ((prog.equals("yarn") || prog.equals("pnpm"))
                        && firstArg(a).filter(x -> !YARN_BUILTINS.contains(x)).isPresent())) {
            return Optional.of(prog + " runs the script through a shell and does not forward SIGTERM to the app");
        }
        return Optional.empty();
    }

    /**
     * The program that is PID 1 for an argv, by its base name, after what hands over with exec ({@code env},
     * {@code docker-entrypoint.sh}, ...) is looked through; an init stops there. {@code ""} for none.
     */
    static String pid1(List<String> argv) {
        List<String> a = lookThrough(argv);
        return a.isEmpty() ? "" : basename(a.get(0));
    }

    /**
     * True when an image's {@code Entrypoint} runs what follows it ({@code Cmd}, or a pod's {@code args}) as the
     * app: there is none, or it only hands over with exec ({@code env [NAME=value...]}, an official image's
     * {@code docker-entrypoint.sh}, ...), or it is an init that forwards signals to its child.
     */
    static boolean handsOver(List<String> entrypoint) {
        List<String> a = lookThrough(entrypoint);
        return a.isEmpty() || INITS.contains(basename(a.get(0)));
    }

    /** The argv left after following the hand-overs of {@link #analyse}; it starts with an init if one is met. */
    private static List<String> lookThrough(List<String> argv) {
        List<String> a = argv;
        for (int hops = 0; hops <= MAX_HANDOVERS && !a.isEmpty(); hops++) {
            String prog = basename(a.get(0));
            Step next = INITS.contains(prog) ? null : handOver(a, prog);
            if (next == null) {
                break;
            }
            a = next.argv();
        }
        return a;
    }

    /** The script of a {@code -c} invocation, or empty when the shell is not given {@code -c}. */
    private static Optional<String> shellScript(List<String> a) {
        boolean dashC = false;
        for (int i = 1; i < a.size(); i++) {
            String arg = a.get(i);
            if (arg.equals("--")) {
                return dashC && i + 1 < a.size() ? Optional.of(a.get(i + 1)) : Optional.empty();
            }
            if (arg.startsWith("--")) {
                continue;
            }
            if ((arg.startsWith("-") || arg.startsWith("+")) && arg.length() > 1) {
                String flags = arg.substring(1);
                if (flags.indexOf('c') >= 0 && flags.chars().allMatch(Character::isLetter)) {
                    dashC = true;
                }
                if (flags.equals("o") || flags.endsWith("o")) {
                    i++; // -o takes an option name
                }
                continue;
            }
            return dashC ? Optional.of(arg) : Optional.empty();
        }
        return dashC ? Optional.of("") : Optional.empty();
    }

    private static Optional<String> firstArg(List<String> a) {
        return a.stream().skip(1).filter(s -> !s.startsWith("-")).findFirst();
    }

    private static String firstWord(String script) {
        String s = script.strip();
        int end = 0;
        while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && s.charAt(end) != ';') {
            end++;
        }
        return s.substring(0, end);
    }

    /** What {@code env [-i] [-u NAME] [-C DIR] [NAME=value...] command...} runs. */
    private static List<String> afterEnv(List<String> argv) {
        int i = 1;
        while (i < argv.size()) {
            String arg = argv.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (arg.equals("-u") || arg.equals("--unset") || arg.equals("-C") || arg.equals("--chdir")
                    || arg.equals("-S") || arg.equals("--split-string")) {
                i += 2; // these take a value
            } else if (arg.startsWith("-") || arg.contains("=")) {
                i++;
            } else {
                break;
            }
        }
        return argv.subList(Math.min(i, argv.size()), argv.size());
    }

    private static List<String> skipEnv(List<String> argv) {
        return argv.isEmpty() || !basename(argv.get(0)).equals("env") ? argv : afterEnv(argv);
    }

    private static String basename(String s) {
        return s.substring(s.lastIndexOf('/') + 1);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    /**
     * A short, safe rendering of argv: the program, its options and the first word of the script. The rest is left
     * out, because command lines sometimes carry credentials and messages must never echo one.
     */
    public static String show(List<String> argv) {
        List<String> a = skipEnv(argv);
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < a.size(); i++) {
            String arg = a.get(i);
            if (i > 0) {
                sb.append(' ');
            }
            if (i == 0 || arg.startsWith("-") && arg.length() < 8) {
                sb.append(arg.length() > 40 ? arg.substring(0, 40) + "…" : arg);
                continue;
            }
            String word = firstWord(arg);
            if (word.indexOf('=') >= 0) {
                word = word.substring(0, word.indexOf('=') + 1) + "…"; // an assignment may carry a secret
            }
            sb.append(word.length() > 24 ? word.substring(0, 24) + "…" : word)
                    .append(word.equals(arg.strip()) ? "" : " …");
            if (i + 1 < a.size()) {
                sb.append(" …");
            }
            break;
        }
        return sb.append('"').toString();
    }
}
