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
import java.util.List;
import java.util.Map;

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
 * Exit codes: 0 when nothing enforces, 1 when at least one finding's action is enforce, 2 for usage or input errors.
 */
public final class Main {

    static final int OK = 0;
    static final int VIOLATIONS = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            usage: customs check [options] PATH... | -

            Checks Kubernetes manifests (files, directories of *.yaml/*.yml/*.json, or - for stdin)
            and Dockerfiles (Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*, also in directories)
            with the rules and configuration of the Customs admission webhook.

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
              -h, --help           this help

            exit codes: 0 no enforcing violation, 1 at least one, 2 usage or input error
            """;

    private static final Path DEFAULT_AUTH_FILE = System.getProperty("user.home") == null ? null
            : Path.of(System.getProperty("user.home"), ".docker", "config.json");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.console() != null));
    }

    static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err, boolean tty) {
        List<String> paths = new ArrayList<>();
        List<String> dockerfiles = new ArrayList<>();
        String target = null;
        Map<String, String> buildArgs = new LinkedHashMap<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        Path configFile = null;
        Path authFile = null;
        boolean offline = false;
        boolean colour = tty && System.getenv("NO_COLOR") == null;
        String output = "text";
        if (args.length == 0 || !args[0].equals("check")) {
            if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
                out.print(USAGE_TEXT);
                return OK;
            }
            err.print(USAGE_TEXT);
            return USAGE;
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "-h", "--help" -> {
                        out.print(USAGE_TEXT);
                        return OK;
                    }
                    case "--config" -> configFile = Path.of(value(args, ++i, a));
                    case "--auth-file" -> authFile = Path.of(value(args, ++i, a));
                    case "--offline" -> offline = true;
                    case "--no-color", "--no-colour" -> colour = false;
                    case "--output", "-o" -> output = value(args, ++i, a);
                    case "--dockerfile", "-f" -> dockerfiles.add(value(args, ++i, a));
                    case "--target" -> target = value(args, ++i, a);
                    case "--build-arg" -> buildArg(buildArgs, value(args, ++i, a));
                    default -> {
                        if (a.startsWith("-D") && a.contains("=")) {
                            overrides.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
                        } else if (a.startsWith("--output=")) {
                            output = a.substring("--output=".length());
                        } else if (a.startsWith("--dockerfile=")) {
                            dockerfiles.add(a.substring("--dockerfile=".length()));
                        } else if (a.startsWith("--target=")) {
                            target = a.substring("--target=".length());
                        } else if (a.startsWith("--build-arg=")) {
                            buildArg(buildArgs, a.substring("--build-arg=".length()));
                        } else if (a.startsWith("-") && !a.equals("-")) {
                            err.println("customs check: unknown option " + a);
                            err.print(USAGE_TEXT);
                            return USAGE;
                        } else {
                            paths.add(a);
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                err.println("customs check: " + e.getMessage());
                return USAGE;
            }
        }
        if (!List.of("text", "json", "sarif").contains(output)) {
            err.println("customs check: --output must be text, json or sarif, not " + output);
            return USAGE;
        }
        if (paths.isEmpty() && dockerfiles.isEmpty()) {
            err.println("customs check: no PATH given (use - for standard input)");
            err.print(USAGE_TEXT);
            return USAGE;
        }
        if (authFile != null) {
            overrides.put("customs.registry.auth-file", authFile.toString());
        } else if (DEFAULT_AUTH_FILE != null && Files.isReadable(DEFAULT_AUTH_FILE)
                && System.getenv("CUSTOMS_REGISTRY_AUTH_FILE") == null
                && !overrides.containsKey("customs.registry.auth-file")) {
            overrides.putIfAbsent("customs.registry.auth-file", DEFAULT_AUTH_FILE.toString());
        }
        // pull secrets belong to pods in a cluster; files have none to read
        overrides.put("customs.registry.use-pull-secrets", "false");
        Vertx vertx = null;
        ImageInspector inspector = null;
        LayerScans layerScans = null;
        try {
            CustomsConfig config = CliConfig.load(configFile, overrides);
            ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(SerializationFeature.INDENT_OUTPUT);
            ManifestReader reader = new ManifestReader(ManifestReader.yamlMapper());
            List<ManifestReader.Document> docs = new ArrayList<>();
            List<Path> dockerfilePaths = new ArrayList<>();
            boolean dockerfileFromStdin = false;
            for (String p : dockerfiles) {
                if (p.equals("-")) {
                    dockerfileFromStdin = true;
                } else if (!Files.isRegularFile(Path.of(p))) {
                    throw new InputError(p + ": no such file");
                } else {
                    dockerfilePaths.add(Path.of(p));
                }
            }
            for (String p : paths) {
                if (p.equals("-")) {
                    docs.addAll(reader.read("-", stdin));
                    continue;
                }
                Path path = Path.of(p);
                if (Files.isDirectory(path)) {
                    dockerfilePaths.addAll(DockerfileInput.expand(path));
                } else if (DockerfileInput.isDockerfile(path)) {
                    dockerfilePaths.add(path);
                    continue;
                }
                for (Path f : ManifestReader.expand(path)) {
                    try (InputStream in = Files.newInputStream(f)) {
                        docs.addAll(reader.read(f.toString(), in));
                    } catch (IOException e) {
                        throw new InputError(f + ": cannot be read (" + e.getMessage() + ")");
                    }
                }
            }
            Checker checker;
            try {
                if (offline || docs.isEmpty()) {
                    inspector = new UnavailableImageInspector(offline ? "not fetched (--offline)" : "not fetched");
                } else {
                    vertx = Vertx.vertx();
                    layerScans = new LayerScans(cliLayerSettings(config), Recorder.NONE);
                    inspector = RegistryImageInspector.create(config.registry(), vertx, json, () -> {
                        throw new IllegalStateException("customs check reads no Kubernetes API");
                    }, Recorder.NONE, layerScans);
                }
                checker = checker(config, json, inspector, offline ? config.registry().budget()
                        : max(config.registry().budget(), CLI_LAYER_BUDGET));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new InputError("invalid configuration: " + e.getMessage());
            }
            Checker.Result manifests = checker.check(docs);
            List<Checker.Checked> checked = new ArrayList<>(manifests.checked());
            List<String> errors = new ArrayList<>(manifests.errors());
            if (!dockerfilePaths.isEmpty() || dockerfileFromStdin) {
                DockerfileInput input = new DockerfileInput(Beans.policy(config, NamespaceLabels.NONE,
                        Clock.systemUTC(), e -> {
                        }), Beans.ruleRegistry(config), target, buildArgs);
                if (dockerfileFromStdin) {
                    dockerfile(input, "-", DockerfileInput.read(stdin), checked, errors);
                }
                for (Path f : dockerfilePaths.stream().distinct().toList()) {
                    dockerfile(input, f.toString(), DockerfileInput.read(f), checked, errors);
                }
            } else if (target != null || !buildArgs.isEmpty()) {
                throw new InputError("--target and --build-arg apply to Dockerfiles, and none was given");
            }
            Checker.Result result = new Checker.Result(checked, manifests.skipped(), errors);
            for (String e : result.errors()) {
                err.println("customs check: " + e);
            }
            switch (output) {
                case "json" -> out.println(json.writeValueAsString(Reports.json(result, json)));
                case "sarif" -> out.println(json.writeValueAsString(Reports.sarif(result, json, version())));
                default -> Reports.text(result, out, colour);
            }
            if (!output.equals("text")) {
                err.println(Reports.summary(result));
            }
            if (!result.errors().isEmpty()) {
                return USAGE;
            }
            return result.enforced() ? VIOLATIONS : OK;
        } catch (InputError e) {
            err.println("customs check: " + e.getMessage());
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

    /** Checks one Dockerfile; a parse or build error is reported with the rest, not instead of it. */
    private static void dockerfile(DockerfileInput input, String name, String text, List<Checker.Checked> out,
            List<String> errors) {
        try {
            out.add(input.check(name, text));
        } catch (DockerfileException e) {
            errors.add(e.getMessage());
        }
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

    static Checker checker(CustomsConfig config, ObjectMapper json, ImageInspector inspector) {
        return checker(config, json, inspector, config.registry().budget());
    }

    static Checker checker(CustomsConfig config, ObjectMapper json, ImageInspector inspector, Duration budget) {
        RuleRegistry registry = Beans.ruleRegistry(config);
        Policy policy = Beans.policy(config, NamespaceLabels.NONE, Clock.systemUTC(), e -> {
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

    private static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
