package dev.customs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.customs.config.Beans;
import dev.customs.config.CustomsConfig;
import dev.customs.dockerfile.DockerfileException;
import dev.customs.image.ImageInspector;
import dev.customs.image.ImageResolver;
import dev.customs.image.UnavailableImageInspector;
import dev.customs.image.layers.LayerScans;
import dev.customs.image.registry.RegistryImageInspector;
import dev.customs.policy.Exemption;
import dev.customs.policy.NamespaceLabels;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.rules.LeakedSecret;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import io.vertx.core.Vertx;

/**
 * {@code customs check}: the admission webhook's inspection before deploy, on files. Runs the same mapper, rules,
 * policy, configuration and image inspection as the webhook, without booting Quarkus, so it starts fast.
 *
 * <p>
 * Exit codes: 0 when nothing enforces, 1 when at least one finding's action is enforce, 2 for usage errors, an
 * invalid configuration, or input that could not be read (reported at the end, after everything else was checked).
 */
public final class Main {

    static final int OK = 0;
    static final int VIOLATIONS = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            usage: customs check [options] PATH... | -
                   customs --version

            Checks Kubernetes manifests (files, directories of *.yaml/*.yml/*.json, or - for stdin)
            and Dockerfiles (Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*, also in directories)
            with the rules and configuration of the Customs admission webhook. A Helm chart is
            checked rendered: helm template my-release CHART | customs check -

            options:
              --dockerfile FILE    check FILE as a Dockerfile whatever its name (- for stdin)
              --target STAGE       the Dockerfile stage that ships (default: the last)
              --build-arg N=V      a build argument's value, as docker build --build-arg gives it
              --config FILE        configuration (application.yaml-style YAML, or .properties)
              -Dkey=value          override one configuration key, e.g. -Dcustoms.rules.latest-tag.action=warn
              --auth-file FILE     registry credentials (docker config.json; default ~/.docker/config.json)
              --offline            do not fetch images; image rules report [image-unverified]
              --output FORMAT      text (default), json or sarif
              --no-color           plain text even on a terminal
              --verbose            also log what Customs does (registry requests, why an image is unverified)
              --version            the version of customs
              -h, --help           this help

            exit codes: 0 no enforcing violation, 1 at least one, 2 usage, configuration or input error
            """;

    private static final Path DEFAULT_AUTH_FILE = System.getProperty("user.home") == null ? null
            : Path.of(System.getProperty("user.home"), ".docker", "config.json");

    /** What the command line asked for. */
    private record Options(List<String> paths, Map<String, String> overrides, Path configFile, Path authFile,
            boolean offline, boolean colour, String output, boolean verbose, List<String> dockerfiles, String target,
            Map<String, String> buildArgs) {
    }

    private Main() {
    }

    public static void main(String[] args) {
        CliLogging.install();
        System.exit(run(args, System.in, System.out, System.err, System.console() != null));
    }

    static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err, boolean tty) {
        if (args.length == 0) {
            err.print(USAGE_TEXT);
            return USAGE;
        }
        switch (args[0]) {
            case "-h", "--help", "help" -> {
                out.print(USAGE_TEXT);
                return OK;
            }
            case "--version", "version" -> {
                out.println("customs " + version());
                return OK;
            }
            case "check" -> {
                // below
            }
            default -> {
                err.println("customs: unknown command \"" + args[0] + "\"; the command is check"
                        + (args[0].startsWith("-") ? " (options come after it)" : ""));
                err.print(USAGE_TEXT);
                return USAGE;
            }
        }
        Options options;
        try {
            options = parse(args, tty);
        } catch (IllegalArgumentException e) {
            err.println("customs check: " + e.getMessage());
            if (e.getMessage().startsWith("unknown option") || e.getMessage().startsWith("no PATH")) {
                err.print(USAGE_TEXT);
            }
            return USAGE;
        } catch (HelpRequested e) {
            out.print(USAGE_TEXT);
            return OK;
        }
        CliLogging.configure(options.verbose());
        return check(options, stdin, out, err);
    }

    /** Thrown by {@link #parse} when {@code -h} is among the options. */
    private static final class HelpRequested extends Exception {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(null, null, false, false);
        }
    }

    private static Options parse(String[] args, boolean tty) throws HelpRequested {
        List<String> paths = new ArrayList<>();
        List<String> dockerfiles = new ArrayList<>();
        String target = null;
        Map<String, String> buildArgs = new LinkedHashMap<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        Path configFile = null;
        Path authFile = null;
        boolean offline = false;
        boolean verbose = false;
        boolean colour = tty && System.getenv("NO_COLOR") == null;
        String output = "text";
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> throw new HelpRequested();
                case "--config" -> configFile = Path.of(value(args, ++i, a));
                case "--auth-file" -> authFile = Path.of(value(args, ++i, a));
                case "--offline" -> offline = true;
                case "--verbose", "-v" -> verbose = true;
                case "--no-color", "--no-colour" -> colour = false;
                case "--output", "-o" -> output = value(args, ++i, a);
                case "--dockerfile", "-f" -> dockerfiles.add(value(args, ++i, a));
                case "--target" -> target = value(args, ++i, a);
                case "--build-arg" -> buildArg(buildArgs, value(args, ++i, a));
                default -> {
                    if (a.startsWith("-D") && a.indexOf('=') > 2) {
                        overrides.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
                    } else if (a.startsWith("-D")) {
                        throw new IllegalArgumentException(a + " needs a value: -Dkey=value");
                    } else if (a.startsWith("--output=")) {
                        output = a.substring("--output=".length());
                    } else if (a.startsWith("--config=")) {
                        configFile = Path.of(a.substring("--config=".length()));
                    } else if (a.startsWith("--auth-file=")) {
                        authFile = Path.of(a.substring("--auth-file=".length()));
                    } else if (a.startsWith("--dockerfile=")) {
                        dockerfiles.add(a.substring("--dockerfile=".length()));
                    } else if (a.startsWith("--target=")) {
                        target = a.substring("--target=".length());
                    } else if (a.startsWith("--build-arg=")) {
                        buildArg(buildArgs, a.substring("--build-arg=".length()));
                    } else if (a.startsWith("-") && !a.equals("-")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    } else {
                        paths.add(a);
                    }
                }
            }
        }
        if (!List.of("text", "json", "sarif").contains(output)) {
            throw new IllegalArgumentException("--output must be text, json or sarif, not " + output);
        }
        if (paths.isEmpty() && dockerfiles.isEmpty()) {
            throw new IllegalArgumentException("no PATH given (use - for standard input)");
        }
        if (paths.stream().filter("-"::equals).count() + dockerfiles.stream().filter("-"::equals).count() > 1) {
            throw new IllegalArgumentException("standard input (-) can be read once: name it once, as a PATH or as "
                    + "--dockerfile -");
        }
        if (target != null && target.isBlank()) {
            throw new IllegalArgumentException("--target needs a stage name or number");
        }
        if (authFile != null) {
            overrides.put("customs.registry.auth-file", authFile.toString());
        } else if (DEFAULT_AUTH_FILE != null && Files.isReadable(DEFAULT_AUTH_FILE)
                && System.getenv("CUSTOMS_REGISTRY_AUTH_FILE") == null
                && !overrides.containsKey("customs.registry.auth-file")) {
            overrides.put("customs.registry.auth-file", DEFAULT_AUTH_FILE.toString());
        }
        // pull secrets belong to pods in a cluster; files have none to read
        overrides.put("customs.registry.use-pull-secrets", "false");
        return new Options(paths, overrides, configFile, authFile, offline, colour, output, verbose, dockerfiles,
                target, buildArgs);
    }

    private static void buildArg(Map<String, String> buildArgs, String arg) {
        int eq = arg.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--build-arg takes NAME=value, not " + arg);
        }
        buildArgs.put(arg.substring(0, eq), arg.substring(eq + 1));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int check(Options o, InputStream stdin, PrintStream out, PrintStream err) {
        Vertx vertx = null;
        ImageInspector inspector = null;
        LayerScans layerScans = null;
        try {
            CliConfig.Loaded loaded = CliConfig.open(o.configFile(), o.overrides());
            CustomsConfig config = loaded.config();
            ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(SerializationFeature.INDENT_OUTPUT);
            Inputs.Expanded inputs = Inputs.expand(o.paths(), o.dockerfiles());
            boolean anyManifest = inputs.inputs().stream().anyMatch(in -> !in.dockerfile());
            boolean anyDockerfile = inputs.inputs().stream().anyMatch(Inputs.Input::dockerfile);
            if (!anyDockerfile && inputs.problems().isEmpty() && (o.target() != null || !o.buildArgs().isEmpty())) {
                throw new InputError("--target and --build-arg apply to Dockerfiles, and none was given");
            }
            Checker checker;
            try {
                if (o.offline()) {
                    inspector = new UnavailableImageInspector("not fetched (--offline)");
                } else if (!anyManifest) {
                    // a Dockerfile check reads no registry: what its base sets is unknown to it by design
                    inspector = new UnavailableImageInspector("not fetched");
                } else {
                    vertx = Vertx.vertx();
                    layerScans = new LayerScans(cliLayerSettings(config), Recorder.NONE);
                    inspector = RegistryImageInspector.create(config.registry(), vertx, json, () -> {
                        throw new IllegalStateException("customs check reads no Kubernetes API");
                    }, Recorder.NONE, layerScans);
                }
                checker = checker(config, loaded.releaseNamespace().orElse(null), json, inspector,
                        o.offline() ? config.registry().budget() : max(config.registry().budget(), CLI_LAYER_BUDGET));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new InputError(loaded.sources().explain(String.valueOf(e.getMessage())));
            }
            List<Problem> problems = new ArrayList<>(inputs.problems());
            List<ManifestReader.Document> docs = new ArrayList<>();
            List<Checker.Checked> dockerfiles = new ArrayList<>();
            DockerfileInput dockerfileInput = anyDockerfile ? new DockerfileInput(checker.policy(),
                    Beans.ruleRegistry(config), o.target(), o.buildArgs()) : null;
            ManifestReader reader = new ManifestReader();
            for (Inputs.Input in : inputs.inputs()) {
                if (in.dockerfile()) {
                    dockerfile(dockerfileInput, in, stdin, dockerfiles, problems);
                    continue;
                }
                byte[] content;
                try (InputStream s = in.path() == null ? stdin : Files.newInputStream(in.path())) {
                    content = ManifestReader.readCapped(s);
                } catch (IOException e) {
                    problems.add(Problem.of(in.name(), "cannot be read: " + Inputs.reason(e)));
                    continue;
                }
                ManifestReader.Read read = reader.read(in.name(), content);
                docs.addAll(read.documents());
                problems.addAll(read.problems());
            }
            Checker.Result manifests = checker.check(docs, problems);
            List<Checker.Checked> checked = new ArrayList<>(manifests.checked());
            checked.addAll(dockerfiles);
            Checker.Result result = new Checker.Result(checked, manifests.skipped(), manifests.problems(),
                    manifests.exemptions());
            switch (o.output()) {
                case "json" -> out.println(json.writeValueAsString(Reports.json(result, json)));
                case "sarif" -> out.println(json.writeValueAsString(Reports.sarif(result, json, version())));
                default -> Reports.text(result, out, o.colour());
            }
            out.flush();
            // what could not be read comes last, beside the summary, so it is not scrolled away by findings
            for (Problem p : result.problems()) {
                err.println("customs check: " + p);
            }
            err.flush();
            (o.output().equals("text") ? out : err).println(Reports.summary(result));
            if (!result.problems().isEmpty()) {
                return USAGE;
            }
            return result.enforced() ? VIOLATIONS : OK;
        } catch (InputError e) {
            e.getMessage().lines().forEach(l -> err.println("customs check: " + l));
            return USAGE;
        } catch (IOException e) {
            err.println("customs check: " + e.getMessage());
            return USAGE;
        } finally {
            if (inspector instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing at exit; nothing left to do
                }
            }
            if (layerScans != null) {
                layerScans.close();
            }
            if (vertx != null) {
                vertx.close();
            }
        }
    }

    /**
     * Reads and checks one Dockerfile. What cannot be read, parsed or built is a problem at its file, line and column,
     * reported with the rest; the other inputs are still checked.
     */
    private static void dockerfile(DockerfileInput input, Inputs.Input in, InputStream stdin,
            List<Checker.Checked> out, List<Problem> problems) {
        String text;
        try (InputStream s = in.path() == null ? stdin : Files.newInputStream(in.path())) {
            text = DockerfileInput.read(s);
        } catch (IOException e) {
            problems.add(Problem.of(in.name(), "cannot be read: " + Inputs.reason(e)));
            return;
        } catch (InputError e) {
            problems.add(Problem.of(in.name(), e.getMessage()));
            return;
        }
        try {
            out.add(input.check(in.name(), text));
        } catch (DockerfileException e) {
            problems.add(new Problem(in.name(), e.position().line(), e.position().column(), e.problem()));
        }
    }

    /**
     * The checker of a configuration. The built-in {@code system} exemption covers kube-system (which no webhook
     * sees) and the release namespace only when one is named: in a pipeline, {@code customs} is just a namespace.
     */
    static Checker checker(CustomsConfig config, String releaseNamespace, ObjectMapper json, ImageInspector inspector,
            Duration budget) {
        RuleRegistry registry = Beans.ruleRegistry(config);
        Set<String> system = new LinkedHashSet<>(List.of("kube-system"));
        if (releaseNamespace != null && !releaseNamespace.isBlank()) {
            system.add(releaseNamespace);
        }
        List<Exemption> exemptions = Beans.exemptions(config, system);
        Policy policy = Beans.policy(config, exemptions, NamespaceLabels.NONE, Clock.systemUTC(), e -> {
        });
        return new Checker(json, new RuleEngine(registry), policy, new ImageResolver(inspector, budget));
    }

    /** How long {@code customs check} waits for an image, layer scans included (at least the configured budget). */
    static final Duration CLI_LAYER_BUDGET = Duration.ofMinutes(2);

    /**
     * The CLI scans layers before it answers ({@code admission}) unless {@code layers} is set: nobody waits on a
     * command line for a background scan.
     */
    static LayerScans.Settings cliLayerSettings(CustomsConfig config) {
        LayerScans.Settings s = Beans.layerScanSettings(config);
        CustomsConfig.RuleConfig rule = config.rules().get(LeakedSecret.ID);
        boolean set = rule != null && rule.layers().isPresent();
        return set || s.mode() == LayerScans.Mode.OFF ? s
                : new LayerScans.Settings(LayerScans.Mode.ADMISSION, s.maxBytes(), s.bytesPerSecond(), s.concurrency());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The version this build was made from, as the build wrote it. */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/customs-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through to the jar's manifest
        }
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }
}
