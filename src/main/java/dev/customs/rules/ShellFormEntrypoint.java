package dev.customs.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code shell-form-entrypoint}: a container whose PID 1 is a shell running a script, or a package manager running a
 * script. A shell as PID 1 does not forward SIGTERM to its child, so the app never hears {@code kubectl delete} or
 * {@code docker stop} and is killed when the grace period ends.
 *
 * <p>
 * Reads the container's {@code command} and {@code args} and the image config's {@code Entrypoint} and {@code Cmd}.
 * The effective argv is {@code command + args} when {@code command} is set, otherwise {@code Entrypoint} + ({@code args}
 * if set, else {@code Cmd}). Fails when argv[0] is {@code sh}, {@code bash}, {@code ash}, {@code dash}, {@code zsh} or
 * {@code ksh} (any path) with a {@code -c} option (also clustered, {@code -ec}), unless the script starts with
 * {@code exec}; and when argv[0] is {@code npm}, {@code yarn}, {@code pnpm} or {@code npx} running a script. An init
 * process as argv[0] ({@code tini}, {@code dumb-init}, {@code catatonit}) passes: it forwards signals. A leading
 * {@code env [NAME=value...]} is looked through.
 */
public final class ShellFormEntrypoint implements Rule {

    public static final String ID = "shell-form-entrypoint";

    private static final Set<String> SHELLS = Set.of("sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox");
    private static final Set<String> INITS = Set.of("tini", "tini-static", "dumb-init", "catatonit", "docker-init");
    private static final Set<String> NPM_SCRIPT_COMMANDS = Set.of("start", "run", "run-script", "rum", "urn", "test",
            "tst", "t", "restart", "stop", "exec", "x");
    private static final Set<String> YARN_BUILTINS = Set.of("add", "install", "remove", "upgrade", "info", "list",
            "config", "cache", "init", "link", "unlink", "version", "why", "audit", "import", "pack", "publish", "login",
            "logout", "outdated", "owner", "tag", "team", "global", "bin", "check", "licenses", "help", "--version",
            "-v", "--help", "-h", "node");

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
        for (ContainerView c : pod.containers()) {
            if (!c.command().isEmpty()) {
                List<String> argv = concat(c.command(), c.args());
                check(argv).ifPresent(why -> report(out, c, c.field("command"), argv, "from command", "", why));
                continue;
            }
            ImageFacts facts = images.factsFor(c);
            if (!(facts instanceof ImageFacts.Resolved resolved)) {
                out.unverified(c, facts);
                continue;
            }
            // the image's own argv was judged with its verdict; only a pod's args make new work
            List<String> args = c.args();
            for (var g : PlatformGroups.of(resolved, p -> {
                ImageVerdict.Process process = p.verdict().process();
                if (args.isEmpty()) {
                    return process.shellForm().map(why -> new Finding(process.argv(), why));
                }
                List<String> argv = process.argvWith(args);
                return check(argv).map(why -> new Finding(argv, why));
            })) {
                String source = args.isEmpty() ? "from the image's ENTRYPOINT/CMD" : "from the image's ENTRYPOINT and args";
                String field = args.isEmpty() ? c.field("image") : c.field("args");
                report(out, c, field, g.outcome().argv(), source, g.suffix(), g.outcome().why());
            }
        }
    }

    private record Finding(List<String> argv, String why) {
    }

    private static void report(Findings out, ContainerView c, String field, List<String> argv, String source,
            String suffix, String why) {
        out.violation(c, field, c.subject() + " runs " + show(argv) + " as PID 1 (" + source + ")" + suffix + ": "
                + why,
                "use exec form so the app is PID 1, e.g. command: [\"node\", \"server.js\"] or CMD "
                        + "[\"node\", \"server.js\"] in the Dockerfile; or start the script with exec, or run an init "
                        + "such as tini first");
    }

    /** Why argv leaves a shell or package manager as PID 1, or empty when it does not. */
    static Optional<String> check(List<String> argv) {
        List<String> a = skipEnv(argv);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        String prog = basename(a.get(0));
        if (INITS.contains(prog)) {
            return Optional.empty();
        }
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

    /** The program that is PID 1 for an argv ({@code env} looked through), by its base name; {@code ""} for none. */
    static String pid1(List<String> argv) {
        List<String> a = skipEnv(argv);
        return a.isEmpty() ? "" : basename(a.get(0));
    }

    /**
     * True when an image's {@code Entrypoint} runs what follows it ({@code Cmd}, or a pod's {@code args}) as the
     * app: there is none, or it is only {@code env [NAME=value...]}, or an init that forwards signals to its child.
     */
    static boolean handsOver(List<String> entrypoint) {
        List<String> a = skipEnv(entrypoint);
        return a.isEmpty() || INITS.contains(basename(a.get(0)));
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

    private static List<String> skipEnv(List<String> argv) {
        if (argv.isEmpty() || !basename(argv.get(0)).equals("env")) {
            return argv;
        }
        int i = 1;
        while (i < argv.size() && (argv.get(i).startsWith("-") || argv.get(i).contains("="))) {
            i++;
        }
        return argv.subList(i, argv.size());
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
