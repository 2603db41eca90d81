package dev.customs.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.customs.dockerfile.PlannedImage.Argument;
import dev.customs.dockerfile.PlannedImage.Base;
import dev.customs.dockerfile.PlannedImage.History;
import dev.customs.dockerfile.PlannedImage.PlacedFile;
import dev.customs.dockerfile.PlannedImage.Process;
import dev.customs.dockerfile.PlannedImage.Setting;
import dev.customs.dockerfile.Substitution.Value;

/**
 * Evaluates a parsed Dockerfile into a {@link BuildPlan}: the image configuration each stage would build, as BuildKit
 * builds it.
 *
 * <p>
 * What it follows: {@code ARG}s before the first {@code FROM} are visible to {@code FROM} lines only, and to a stage that
 * declares them again; the build platform's arguments ({@code BUILDPLATFORM}, {@code TARGETARCH}, ...) are known to the
 * build only. {@code --build-arg} values win over defaults. Within a stage, {@code ENV} wins over {@code ARG}; every
 * value of {@code ENV} is substituted with the environment before the instruction. Build arguments, the environment,
 * labels, user, entrypoint, command, shell and working directory carry over through {@code FROM <earlier stage>}; an
 * {@code ENTRYPOINT} empties a {@code CMD} not set in the same stage; shell forms run with the {@code SHELL} in force
 * ({@code /bin/sh -c} by default, also assumed for a registry base). {@code FROM} and {@code COPY --from} name an
 * earlier stage by name (case-insensitively) or, for {@code COPY}, by index; anything else is an image.
 */
public final class StageEvaluator {

    /** What the build platform decides: predefined in the global scope, declared with ARG inside a stage. */
    static final Set<String> PLATFORM_ARGUMENTS = Set.of("BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
            "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT");

    private static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

    /**
     * The most files one stage's plan keeps. A real stage copies a few dozen named files (a directory is one); a
     * Dockerfile built to grow the list stage by stage stops here instead of costing time quadratic in its size.
     */
    static final int MAX_FILES = 2048;

    private final Dockerfile dockerfile;
    private final Map<String, String> buildArgs;
    private final Map<String, Value> meta = new LinkedHashMap<>();
    private final List<Stage> stages = new ArrayList<>();
    private final Map<Integer, PlannedImage> images = new LinkedHashMap<>();
    private final Map<Integer, Set<Integer>> dependencies = new TreeMap<>();
    private final List<BuildPlan.ImageUse> uses = new ArrayList<>();

    private StageEvaluator(Dockerfile dockerfile, Map<String, String> buildArgs) {
        this.dockerfile = dockerfile;
        this.buildArgs = Map.copyOf(buildArgs);
    }

    /**
     * Evaluates every stage and plans the build of {@code target}.
     *
     * @param target the stage to build, by name; null for the last stage
     * @param buildArgs values as {@code docker build --build-arg} gives them
     * @throws DockerfileException when the Dockerfile cannot be built: an instruction outside any stage, a duplicate
     *         stage name, a bad substitution, or a target that does not exist
     */
    public static BuildPlan evaluate(Dockerfile dockerfile, String target, Map<String, String> buildArgs)
            throws DockerfileException {
        return new StageEvaluator(dockerfile, buildArgs).run(target);
    }

    private BuildPlan run(String target) throws DockerfileException {
        List<Instruction.Arg> metaArgs = new ArrayList<>();
        for (String p : PLATFORM_ARGUMENTS) {
            meta.put(p, buildArgs.containsKey(p) ? Value.known(buildArgs.get(p))
                    : Value.unknown("the build's platform (" + p + ")"));
        }
        List<Instruction> current = null;
        Instruction.From from = null;
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Instruction i : dockerfile.instructions()) {
            if (i instanceof Instruction.From f) {
                if (from != null) {
                    stages.add(new Stage(stages.size(), from.stageName(), from, current));
                }
                from = f;
                current = new ArrayList<>();
                String name = f.stageName();
                if (name != null && names.putIfAbsent(name, stages.size()) != null) {
                    throw error(f.alias().position(), "duplicate stage name \"" + name + "\"");
                }
            } else if (from == null) {
                if (!(i instanceof Instruction.Arg a)) {
                    throw error(i.position(), i.keyword() + " comes before the first FROM; only ARG may");
                }
                metaArgs.add(a);
                for (Instruction.Declaration d : a.declarations()) {
                    String name = d.name().text();
                    meta.put(name, argument(name, d, Substitution.Variables.NONE, metaLookup(), a));
                }
            } else {
                current.add(i);
            }
        }
        if (from == null) {
            Position at = dockerfile.instructions().get(0).position();
            throw error(at, "the Dockerfile has no FROM: a build needs at least one stage");
        }
        stages.add(new Stage(stages.size(), from.stageName(), from, current));
        Stage shipped = stages.get(stages.size() - 1);
        if (target != null) {
            String t = target.toLowerCase(Locale.ROOT);
            shipped = stages.stream().filter(s -> t.equals(s.name())).findFirst()
                    .orElseThrow(() -> error(new Position(1, 1), "target stage \"" + target + "\" could not be found"
                            + (names.isEmpty() ? "; no stage is named (FROM ... AS name)"
                                    : "; the stages are " + String.join(", ", names.keySet()))));
        }
        for (Stage s : stages) {
            images.put(s.index(), stage(s));
        }
        Set<Integer> built = new java.util.TreeSet<>();
        java.util.Deque<Integer> todo = new java.util.ArrayDeque<>(List.of(shipped.index()));
        while (!todo.isEmpty()) {
            int s = todo.pop();
            if (built.add(s)) {
                todo.addAll(dependencies.getOrDefault(s, Set.of()));
            }
        }
        List<Stage> builtStages = built.stream().map(stages::get).toList();
        List<BuildPlan.ImageUse> builtUses = uses.stream().filter(u -> built.contains(u.stage().index())).toList();
        return new BuildPlan(dockerfile, metaArgs, stages, shipped, builtStages, images, builtUses);
    }

    private Substitution.Variables metaLookup() {
        return meta::get;
    }

    /** The value of one {@code ARG} declaration: a --build-arg, else its default, else an inherited one. */
    private Value argument(String name, Instruction.Declaration d, Substitution.Variables fallback,
            Substitution.Variables vars, Instruction at) throws DockerfileException {
        if (buildArgs.containsKey(name)) {
            return Value.known(buildArgs.get(name));
        }
        if (d.value() != null) {
            Substitution.Result r = substitute(d.value(), vars, at);
            return r.known() ? Value.known(r.text())
                    : new Value(r.text(), Value.Kind.UNKNOWN,
                            String.join("; ", r.unknown()));
        }
        Value inherited = fallback.get(name);
        if (inherited != null) {
            return inherited;
        }
        if (PLATFORM_ARGUMENTS.contains(name)) {
            return meta.get(name);
        }
        return Value.argument(name);
    }

    // ---- one stage ----

    /** The mutable state of one stage while its instructions are applied. */
    private final class State {
        final Stage stage;
        Base base;
        Base root;
        Setting user;
        Process entrypoint;
        Process cmd;
        boolean cmdSet;
        List<String> shell = DEFAULT_SHELL;
        String workdir = "/";
        boolean workdirKnown = true;
        final Map<String, Setting> env = new LinkedHashMap<>();
        final Map<String, Setting> labels = new LinkedHashMap<>();
        final List<History> history = new ArrayList<>();
        final List<PlacedFile> files = new ArrayList<>();
        final List<Argument> arguments = new ArrayList<>();
        final Map<String, Integer> argsInScope = new LinkedHashMap<>();

        State(Stage stage) {
            this.stage = stage;
        }

        /** Records a placed file, up to {@link #MAX_FILES} per stage, so a pathological file costs bounded work. */
        void place(PlacedFile f) {
            if (files.size() < MAX_FILES) {
                files.add(f);
            }
        }

        /** Looks a variable up as an instruction of this stage sees it. */
        Value lookup(String name) {
            Setting e = env.get(name);
            if (e != null) {
                return e.known() ? Value.known(e.value())
                        : new Value(e.value(), Value.Kind.UNKNOWN, String.join("; ", e.unknown()));
            }
            Integer a = argsInScope.get(name);
            if (a != null) {
                return arguments.get(a).value();
            }
            if (root.external()) {
                return Value.unknown("the base image's environment (" + name + " is not set in the Dockerfile)");
            }
            return null;
        }
    }

    private PlannedImage stage(Stage stage) throws DockerfileException {
        State st = new State(stage);
        Substitution.Result ref = substitute(stage.from().image(), metaLookup(), stage.from());
        if (ref.known() && ref.text().isBlank()) {
            throw error(stage.from().image().position(), "FROM " + DockerfileParser.printable(stage.from().image()
                    .text()) + " names no image: the name is empty after substitution (FROM sees only the ARGs "
                    + "declared before the first FROM)");
        }
        Stage parent = ref.known() ? byName(ref.text(), stage.index()) : null;
        if (parent != null) {
            PlannedImage p = images.get(parent.index());
            st.base = new Base.StageRef(parent);
            st.root = p.root();
            st.user = p.user();
            st.entrypoint = p.entrypoint();
            st.cmd = p.cmd();
            st.shell = p.shell();
            st.env.putAll(p.env());
            st.labels.putAll(p.labels());
            st.history.addAll(p.history());
            st.files.addAll(p.files());
            State ps = states.get(parent.index());
            st.workdir = ps.workdir;
            st.workdirKnown = ps.workdirKnown;
            for (Argument a : p.arguments()) {
                st.argsInScope.put(a.name(), st.arguments.size());
                st.arguments.add(a);
            }
            dependencies.computeIfAbsent(stage.index(), k -> new LinkedHashSet<>()).add(parent.index());
        } else if (ref.known() && ref.text().equalsIgnoreCase("scratch")) {
            st.base = new Base.Scratch();
            st.root = st.base;
        } else {
            st.base = new Base.Image(ref.text(), ref.display(), ref.unknown());
            st.root = st.base;
            st.workdirKnown = false;
            st.workdir = "";
            uses.add(new BuildPlan.ImageUse(stage, stage.from(), stage.from().image(), "FROM", ref.text(),
                    ref.display(), ref.unknown()));
        }
        for (Instruction i : stage.instructions()) {
            apply(st, i);
        }
        states.put(stage.index(), st);
        List<PlacedFile> files = removals(st);
        return new PlannedImage(stage, st.base, st.root, st.user, st.entrypoint, st.cmd, st.shell, st.env, st.labels,
                st.history, files, st.arguments);
    }

    private final Map<Integer, State> states = new LinkedHashMap<>();

    /** The earlier stage a name refers to, or null when it names an image. */
    private Stage byName(String name, int before) {
        String n = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < before; i++) {
            if (n.equals(stages.get(i).name())) {
                return stages.get(i);
            }
        }
        return null;
    }

    /** The earlier stage {@code COPY --from} refers to: by name, or by index. */
    private Stage copySource(String from, int before) {
        Stage s = byName(from, before);
        if (s == null && from.matches("\\d{1,6}")) {
            int index = Integer.parseInt(from);
            if (index < before) {
                s = stages.get(index);
            }
        }
        return s;
    }

    private void apply(State st, Instruction i) throws DockerfileException {
        if (i instanceof Instruction.Arg a) {
            for (Instruction.Declaration d : a.declarations()) {
                String name = d.name().text();
                Value v = argument(name, d, n -> meta.containsKey(n) && !PLATFORM_ARGUMENTS.contains(n)
                        ? meta.get(n)
                        : null, st::lookup, a);
                st.argsInScope.put(name, st.arguments.size());
                st.arguments.add(new Argument(name, st.stage, a, d.name(), v, null));
            }
            st.history.add(new History("ARG " + a.declarations().stream()
                    .map(d -> d.name().text() + (d.value() == null ? "" : "=" + d.value().text()))
                    .collect(Collectors.joining(" ")), true, st.stage, a));
        } else if (i instanceof Instruction.KeyValues kv) {
            Map<String, Setting> target = kv.keyword().equals("ENV") ? st.env : st.labels;
            Map<String, Setting> updates = new LinkedHashMap<>();
            for (Instruction.Pair p : kv.pairs()) {
                Substitution.Result key = substitute(p.key(), st::lookup, kv);
                Substitution.Result value = substitute(p.value(), st::lookup, kv);
                updates.put(key.display(), new Setting(value.text(), value.display(), value.unknown(), st.stage, kv,
                        p.key()));
            }
            target.putAll(updates);
            st.history.add(new History(kv.keyword() + " " + updates.entrySet().stream()
                    .map(e -> e.getKey() + "=" + PlannedImage.render(e.getValue().value()))
                    .collect(Collectors.joining(" ")), true, st.stage, kv));
        } else if (i instanceof Instruction.User u) {
            Substitution.Result r = substitute(u.user(), st::lookup, u);
            st.user = new Setting(r.text(), r.display(), r.unknown(), st.stage, u, u.user());
            st.history.add(new History("USER " + r.display(), true, st.stage, u));
        } else if (i instanceof Instruction.Command c) {
            command(st, c);
        } else if (i instanceof Instruction.Copy c) {
            copy(st, c);
        } else if (i instanceof Instruction.Other o) {
            if (o.keyword().equals("WORKDIR")) {
                Substitution.Result r = substitute(o.args().get(0), st::lookup, o);
                String dir = r.display();
                if (dir.startsWith("/")) {
                    st.workdir = normalise(dir);
                    st.workdirKnown = r.known();
                } else {
                    st.workdir = normalise(st.workdir.isEmpty() ? dir : st.workdir + "/" + dir);
                }
            }
            st.history.add(new History(o.keyword() + " " + o.args().stream().map(Word::text)
                    .collect(Collectors.joining(" ")), true, st.stage, o));
        } else {
            st.history.add(new History(i.keyword(), true, st.stage, i));
        }
    }

    private void command(State st, Instruction.Command c) throws DockerfileException {
        List<String> argv = new ArrayList<>();
        if (c.line().json()) {
            c.line().args().forEach(w -> argv.add(w.text()));
        } else if (!c.line().args().isEmpty()) {
            argv.addAll(st.shell);
            argv.add(c.line().args().get(0).text());
        }
        switch (c.keyword()) {
            case "CMD" -> {
                st.cmd = new Process(argv, !c.line().json(), st.stage, c);
                st.cmdSet = true;
                st.history.add(new History("CMD " + argv, true, st.stage, c));
            }
            case "ENTRYPOINT" -> {
                st.entrypoint = new Process(argv, !c.line().json(), st.stage, c);
                if (!st.cmdSet) {
                    st.cmd = new Process(List.of(), false, st.stage, c);
                }
                st.history.add(new History("ENTRYPOINT " + argv, true, st.stage, c));
            }
            case "SHELL" -> {
                st.shell = argv;
                st.history.add(new History("SHELL " + argv, true, st.stage, c));
            }
            default -> { // RUN
                for (Flag f : c.flags("mount")) {
                    mountFrom(st, c, f);
                }
                List<String> recorded = new ArrayList<>();
                for (int k = 0; k < st.arguments.size(); k++) {
                    Argument a = st.arguments.get(k);
                    if (st.argsInScope.get(a.name()) != k) {
                        continue; // redeclared later
                    }
                    Value v = a.value();
                    recorded.add(a.name() + "=" + (v.kind() == Value.Kind.KNOWN ? v.text() : PlannedImage.UNKNOWN));
                    if (a.recordedBy() == null) {
                        st.arguments.set(k, new Argument(a.name(), a.stage(), a.source(), a.word(), v, c));
                    }
                }
                String prefix = recorded.isEmpty() ? "" : "|" + recorded.size() + " " + String.join(" ", recorded) + " ";
                StringBuilder heredocs = new StringBuilder();
                c.heredocs().forEach(h -> heredocs.append('\n').append(h.content()).append(h.name()));
                st.history.add(new History("RUN " + prefix + String.join(" ", argv) + heredocs + " # buildkit", false,
                        st.stage, c));
            }
        }
    }

    /** {@code RUN --mount=...,from=<stage or image>}: a dependency, or an image the build pulls. */
    private void mountFrom(State st, Instruction.Command c, Flag f) throws DockerfileException {
        if (f.value() == null) {
            return;
        }
        for (String part : f.value().split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0 || !part.substring(0, eq).strip().equalsIgnoreCase("from")) {
                continue;
            }
            Substitution.Result r = substitute(new Word(part.substring(eq + 1), f.position()), st::lookup, c);
            Stage s = r.known() ? copySource(r.text(), st.stage.index()) : null;
            if (s != null) {
                dependencies.computeIfAbsent(st.stage.index(), k -> new LinkedHashSet<>()).add(s.index());
            } else {
                uses.add(new BuildPlan.ImageUse(st.stage, c, new Word(part.substring(eq + 1), f.position()),
                        "RUN --mount from", r.text(), r.display(), r.unknown()));
            }
        }
    }

    private void copy(State st, Instruction.Copy c) throws DockerfileException {
        Stage from = null;
        var fromFlag = c.flag("from");
        if (fromFlag.isPresent() && fromFlag.get().value() != null) {
            Word w = new Word(fromFlag.get().value(), fromFlag.get().position());
            Substitution.Result r = substitute(w, st::lookup, c);
            from = r.known() ? copySource(r.text(), st.stage.index()) : null;
            if (from != null) {
                dependencies.computeIfAbsent(st.stage.index(), k -> new LinkedHashSet<>()).add(from.index());
            } else {
                uses.add(new BuildPlan.ImageUse(st.stage, c, w, "COPY --from", r.text(), r.display(), r.unknown()));
            }
        }
        Substitution.Result dest = substitute(c.destination(), st::lookup, c);
        String destination = dest.display();
        boolean intoDirectory = destination.endsWith("/") || c.sources().size() > 1;
        String base = destination.startsWith("/") || !st.workdirKnown && st.workdir.isEmpty() ? destination
                : st.workdir + "/" + destination;
        for (Word source : c.sources()) {
            Heredoc heredoc = heredoc(c, source);
            String name;
            if (heredoc != null) {
                name = heredoc.name();
            } else {
                name = substitute(source, st::lookup, c).display();
            }
            String last = lastComponent(name);
            String path = normalise(intoDirectory || heredoc != null && destination.endsWith("/") ? base + "/" + last
                    : base);
            if (from != null) {
                copyFromStage(st, c, source, name, from, path, normalise(base));
            } else if (heredoc != null) {
                st.place(new PlacedFile(path, lastComponent(path), st.stage, c, source, null, null));
            } else if (!last.isEmpty() && !last.equals(".")) {
                st.place(new PlacedFile(path, last, st.stage, c, source, null, null));
            }
        }
        st.history.add(new History(c.keyword() + " " + c.sources().stream().map(Word::text)
                .collect(Collectors.joining(" ")) + " " + c.destination().text() + " # buildkit", false, st.stage,
                c));
    }

    /**
     * The files of stage {@code from} that a {@code COPY --from} source covers, placed as Docker places them: a file
     * at {@code path}, the contents of a directory under the destination directory.
     */
    private void copyFromStage(State st, Instruction.Copy c, Word source, String sourcePath, Stage from, String path,
            String destination) {
        PlannedImage origin = images.get(from.index());
        String workdir = states.get(from.index()).workdir;
        String src = normalise(sourcePath.startsWith("/") || workdir.isEmpty() ? sourcePath
                : workdir + "/" + sourcePath);
        for (PlacedFile f : origin.files()) {
            if (f.removedBy() != null) {
                continue;
            }
            String fp = f.path();
            String placed;
            if (fp.equals(src)) {
                placed = path;
            } else if (src.equals("/") || src.isEmpty() || fp.startsWith(src + "/")) {
                placed = normalise(destination + "/" + fp.substring(src.equals("/") ? 1
                        : src.isEmpty() ? 0 : src.length() + 1));
            } else if (matchesGlob(src, fp)) {
                placed = normalise(destination + "/" + lastComponent(fp));
            } else {
                continue;
            }
            st.place(new PlacedFile(placed, f.name(), st.stage, c, source, f, null));
        }
    }

    private static boolean matchesGlob(String pattern, String path) {
        if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 && pattern.indexOf('[') < 0) {
            return false;
        }
        try {
            return path.matches(Substitution.globToRegex(pattern, true).replace(".*", "[^/]*"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A {@code RUN} that removes files, and what it names after {@code rm}. */
    private record Removal(int index, Instruction.Command run, List<String> targets) {
    }

    /** Marks files deleted by a later {@code RUN rm ...} of the same stage. */
    private static List<PlacedFile> removals(State st) {
        List<Instruction> instructions = st.stage.instructions();
        // every RUN is split once, and only those that remove something are kept: a stage may copy many files and
        // run many commands, and most commands remove nothing
        List<Removal> removals = new ArrayList<>();
        Map<Instruction, Integer> index = new java.util.IdentityHashMap<>();
        for (int k = 0; k < instructions.size(); k++) {
            Instruction i = instructions.get(k);
            index.put(i, k);
            if (i instanceof Instruction.Command c && c.keyword().equals("RUN")) {
                List<String> targets = removed(words(c));
                if (!targets.isEmpty()) {
                    removals.add(new Removal(k, c, targets));
                }
            }
        }
        List<PlacedFile> out = new ArrayList<>();
        for (PlacedFile f : st.files) {
            if (f.stage() != st.stage || f.removedBy() != null || removals.isEmpty()) {
                out.add(f);
                continue;
            }
            int from = index.getOrDefault(f.via(), -1);
            Instruction removed = null;
            for (Removal r : removals) {
                if (r.index() > from && deletes(r.targets(), f)) {
                    removed = r.run();
                    break;
                }
            }
            out.add(removed == null ? f
                    : new PlacedFile(f.path(), f.name(), f.stage(), f.via(), f.word(), f.origin(), removed));
        }
        return out;
    }

    private static final java.util.regex.Pattern SHELL_SEPARATORS = java.util.regex.Pattern.compile("[\\s;&|()]+");

    /** The words of a RUN's command and here-documents, split at whitespace and shell operators. */
    private static List<String> words(Instruction.Command c) {
        StringBuilder text = new StringBuilder();
        c.line().args().forEach(w -> text.append(w.text()).append(' '));
        c.heredocs().forEach(h -> text.append(h.content()).append(' '));
        return List.of(SHELL_SEPARATORS.split(text));
    }

    /** What a RUN's words remove: the operands after {@code rm} (or {@code shred}), unquoted, options left out. */
    private static List<String> removed(List<String> words) {
        List<String> targets = new ArrayList<>();
        boolean rm = false;
        for (String w : words) {
            if (w.equals("rm") || w.endsWith("/rm") || w.equals("shred")) {
                rm = true;
            } else if (rm && !w.startsWith("-")) {
                targets.add(w.replace("\"", "").replace("'", ""));
            }
        }
        return targets;
    }

    /** Whether one of a RUN's removed operands is the file: its path, its name, or a path ending in its name. */
    private static boolean deletes(List<String> targets, PlacedFile f) {
        String last = lastComponent(f.path());
        for (String t : targets) {
            if (t.equals(f.path()) || t.equals(last) || t.endsWith("/" + last)) {
                return true;
            }
        }
        return false;
    }

    private static Heredoc heredoc(Instruction.Copy c, Word source) {
        if (!source.text().startsWith("<<")) {
            return null;
        }
        for (Heredoc h : c.heredocs()) {
            if (h.position().equals(source.position())) {
                return h;
            }
        }
        return null;
    }

    static String lastComponent(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** Collapses {@code //}, {@code .} and {@code ..}; keeps a relative path relative. */
    static String normalise(String path) {
        boolean absolute = path.startsWith("/");
        java.util.Deque<String> parts = new java.util.ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        String joined = String.join("/", parts);
        return absolute ? "/" + joined : joined;
    }

    private Substitution.Result substitute(Word w, Substitution.Variables vars, Instruction at)
            throws DockerfileException {
        try {
            return Substitution.word(w.text(), dockerfile.escape(), vars);
        } catch (Substitution.Failure e) {
            throw error(w.position(), at.keyword() + ": " + e.getMessage());
        }
    }

    private DockerfileException error(Position at, String problem) {
        return new DockerfileException(dockerfile.file(), at, problem);
    }
}
