package dev.customs.dockerfile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.customs.dockerfile.PlannedImage.Process;
import dev.customs.dockerfile.PlannedImage.Setting;
import dev.customs.rules.ConfigVerdict;
import dev.customs.rules.ImageReference;
import dev.customs.rules.ImageVerdict;
import dev.customs.rules.LatestTag;
import dev.customs.rules.LeakedSecret;
import dev.customs.rules.NonRootConflict;
import dev.customs.rules.OciLabels;
import dev.customs.rules.RunAsRoot;
import dev.customs.rules.ShellFormEntrypoint;
import dev.customs.rules.Violation;
import dev.customs.rules.secrets.SecretNames;

/**
 * The rules of DESIGN.md, answered on a Dockerfile: the image the shipping stage plans ({@link BuildPlan#shipped()})
 * is judged by the same {@link ConfigVerdict} as an image from a registry, and every finding points at the instruction
 * behind it. What has no image analogue — a {@code FROM} line's tag, a credential file copied in — is judged here.
 *
 * <p>
 * A Dockerfile check does not know what its base image sets. Per rule:
 * <ul>
 * <li>{@code run-as-root}: the last {@code USER} of the stage chain (the shipping stage and the stages it is built
 * {@code FROM}) decides; root ({@code root}, {@code 0}, {@code root:g}, {@code 0:g}) fails there. No {@code USER} at
 * all fails on the shipping stage's {@code FROM}: on {@code scratch} the image has no user, and on a registry image the
 * base's user is unknown here, so the Dockerfile should say who the image runs as. A {@code USER} that comes from a
 * build argument without a default fails too, saying the build decides.</li>
 * <li>{@code non-root-conflict}: a last {@code USER} that is a name ({@code node}), which {@code runAsNonRoot} cannot
 * verify.</li>
 * <li>{@code shell-form-entrypoint}: the planned {@code ENTRYPOINT} + {@code CMD}, shell form and package-manager
 * scripts as at admission. A {@code CMD} on a base whose {@code ENTRYPOINT} is unknown is judged on its own, as the
 * entrypoints of official images hand over to it. Neither set: the base decides, no finding.</li>
 * <li>{@code latest-tag}: every image from a registry the build uses ({@code FROM}, {@code COPY --from},
 * {@code RUN --mount from=}), after {@code ARG} defaults and {@code --build-arg}s; {@code scratch} and stage names are
 * not images. A tag that comes from a build argument without a default is the build's to decide: no finding. The
 * moving tags are {@code latest-tag}'s, as configured ({@code latest} by default).</li>
 * <li>{@code oci-labels}: the required keys set by {@code LABEL} in the stage chain; missing ones are reported at
 * warn level at most, as the build may pass them ({@code --label}, {@code --annotation}).</li>
 * <li>{@code leaked-secret}: the planned {@code Env} and history, scanned as an image's are (credential names with a
 * literal value, placeholders such as {@code changeme} passing; build arguments a {@code RUN} records in the history;
 * token shapes). A value the build passes (a build argument without a default) under a credential's name is a
 * credential: that is what the build passes there. Also the
 * credential files ({@code .npmrc}, {@code .env}, keys, ...) that {@code COPY} or {@code ADD} put into the stage chain,
 * directly or from a stage they copy.</li>
 * </ul>
 * {@code host-network} and {@code docker-socket} are about pods; a Dockerfile has nothing for them.
 */
public final class DockerfileCheck {

    private final List<String> requiredLabels;
    private final LatestTag latest;

    /** @param requiredLabels the keys {@code oci-labels} requires, as configured; {@code latest} the moving tag */
    public DockerfileCheck(List<String> requiredLabels) {
        this(requiredLabels, new LatestTag());
    }

    /**
     * @param requiredLabels the keys {@code oci-labels} requires, as configured
     * @param latest the {@code latest-tag} rule as configured, whose moving tags a {@code FROM} must not use
     */
    public DockerfileCheck(List<String> requiredLabels, LatestTag latest) {
        this.requiredLabels = List.copyOf(requiredLabels);
        this.latest = latest;
    }

    /**
     * One finding on a Dockerfile: a rule's violation and the place it points at.
     *
     * @param rule the rule id
     * @param position where the instruction or argument behind it is
     * @param keyword the instruction's keyword
     * @param image the image the finding is about (latest-tag), or null
     * @param problem what is wrong, naming the stage
     * @param fix how to fix it
     */
    public record Finding(String rule, Position position, String keyword, String image, String problem, String fix) {

        /** The field a finding points at, in the style of a manifest's field path: {@code USER 14:6}. */
        public String field() {
            return keyword + " " + position;
        }

        /** The finding as a violation, so policy, exemptions and reports treat it as any other. */
        public Violation violation() {
            return new Violation(rule, null, image, field(), problem, fix);
        }

        public String message() {
            return violation().message();
        }
    }

    /** Evaluates every rule for which {@code active} holds; findings in the order of the file. */
    public List<Finding> check(BuildPlan plan, Predicate<String> active) {
        List<Finding> out = new ArrayList<>();
        ConfigVerdict verdict = ConfigVerdict.judge(plan.shipped().config());
        if (active.test(RunAsRoot.ID) || active.test(NonRootConflict.ID)) {
            user(plan, active, out);
        }
        if (active.test(ShellFormEntrypoint.ID)) {
            process(plan, verdict.process(), out);
        }
        if (active.test(LatestTag.ID)) {
            tags(plan, out);
        }
        if (active.test(OciLabels.ID)) {
            labels(plan, verdict, out);
        }
        if (active.test(LeakedSecret.ID)) {
            secrets(plan, verdict, out);
            files(plan, out);
        }
        out.sort(Comparator.comparing(Finding::position));
        return out;
    }

    // ---- run-as-root, non-root-conflict ----

    private static void user(BuildPlan plan, Predicate<String> active, List<Finding> out) {
        PlannedImage image = plan.shipped();
        Stage target = plan.target();
        Setting u = image.user();
        if (u == null) {
            if (!active.test(RunAsRoot.ID)) {
                return;
            }
            Instruction.From from = target.from();
            if (image.root().external()) {
                out.add(new Finding(RunAsRoot.ID, from.image().position(), "FROM", null, target.subject()
                        + " sets no USER, and the user of its base image " + baseName(image)
                        + " is unknown to a Dockerfile check, so the image runs as root unless that base sets "
                        + "another user",
                        "set USER explicitly in the stage, to a numeric non-root uid (e.g. USER "
                                + "10001), even when the base image sets one"));
            } else {
                out.add(new Finding(RunAsRoot.ID, from.image().position(), "FROM", null, target.subject()
                        + " runs as root: no stage of it sets USER, and an image built FROM scratch has no user",
                        "add a numeric non-root USER to the stage (e.g. USER 10001)"));
            }
            return;
        }
        String where = where(u.source(), u.stage(), target);
        if (!u.known()) {
            if (active.test(RunAsRoot.ID)) {
                out.add(new Finding(RunAsRoot.ID, u.word().position(), "USER", null, target.subject()
                        + " may run as root: USER " + u.display() + where + " takes its value from "
                        + String.join(" and ", u.unknown()) + ", so a Dockerfile check cannot tell the user",
                        "give the argument a numeric non-root default (ARG UID=10001) or write the uid (USER 10001); "
                                + "customs check --build-arg NAME=value checks the value a build passes"));
            }
            return;
        }
        ImageVerdict.User user = ImageVerdict.User.of(u.value());
        String raw = user.raw();
        if (user.root()) {
            if (active.test(RunAsRoot.ID)) {
                out.add(new Finding(RunAsRoot.ID, u.word().position(), "USER", null, target.subject()
                        + " runs as root: its last USER is \"" + raw + "\"" + where,
                        "end the stage with a numeric non-root USER (e.g. USER 10001), after the steps that need "
                                + "root"));
            }
        } else if (user.kind() == ImageVerdict.User.Kind.NAMED && active.test(NonRootConflict.ID)) {
            String name = raw.indexOf(':') < 0 ? raw : raw.substring(0, raw.indexOf(':'));
            out.add(new Finding(NonRootConflict.ID, u.word().position(), "USER", null, target.subject()
                    + " runs as the user name \"" + raw + "\"" + where + ", which the kubelet cannot verify: a pod "
                    + "with runAsNonRoot: true and no runAsUser fails with CreateContainerConfigError",
                    "write the user as its numeric uid (USER 10001; id -u " + name
                            + " in the image tells it), so runAsNonRoot can verify it"));
        }
    }

    /** {@code  (USER at line 4)}, naming the stage when it is not the shipping one. */
    private static String where(Instruction source, Stage stage, Stage target) {
        return where(source, stage, target, "");
    }

    private static String where(Instruction source, Stage stage, Stage target, String more) {
        return " (" + source.keyword() + " at line " + source.position().line()
                + (stage.index() == target.index() ? "" : ", in " + stage.label()) + more + ")";
    }

    private static String baseName(PlannedImage image) {
        return ((PlannedImage.Base.Image) image.root()).display();
    }

    // ---- shell-form-entrypoint ----

    /**
     * The planned process, judged as an image's: {@code Entrypoint + Cmd} of the planned config (an unknown base
     * {@code ENTRYPOINT} left out, so a {@code CMD} is judged on its own). The finding points at the {@code CMD} when
     * the entrypoint hands over to it, otherwise at the {@code ENTRYPOINT}.
     */
    private static void process(BuildPlan plan, ImageVerdict.Process judged, List<Finding> out) {
        PlannedImage image = plan.shipped();
        Stage target = plan.target();
        Optional<ShellFormEntrypoint.Finding> found = judged.shellForm();
        if (found.isEmpty()) {
            return;
        }
        ShellFormEntrypoint.Finding why = found.get();
        Process entrypoint = image.entrypoint();
        Process cmd = image.cmd();
        Process blame = entrypoint == null || judged.handsOver() && cmd != null && !cmd.argv().isEmpty() ? cmd
                : entrypoint;
        String after = entrypoint == null && image.root().external()
                ? ", run by whatever ENTRYPOINT the base image " + baseName(image) + " sets"
                : "";
        Instruction.Command source = blame.source();
        String form = blame.shellForm() ? " in shell form" : "";
        boolean packageManager = PACKAGE_MANAGERS.contains(basename(why.pid1().get(0)));
        out.add(new Finding(ShellFormEntrypoint.ID, blame.where(), source.keyword(), null, target.subject() + " runs "
                + why.shown() + " as PID 1 (" + source.keyword() + form + " at line "
                + source.position().line() + (blame.stage().index() == target.index() ? ""
                        : ", in "
                                + blame.stage().label())
                + after + why.via() + "): " + why.why(),
                packageManager ? "start the app itself in exec form, e.g. CMD [\"node\", \"server.js\"], instead of a "
                        + "package-manager script"
                        : "write " + source.keyword() + " in exec form so the app is PID 1, e.g. CMD [\"node\", "
                                + "\"server.js\"]; or start the script with exec, or run an init such as tini first"));
    }

    private static final Set<String> PACKAGE_MANAGERS = Set.of("npm", "npx", "yarn", "pnpm");

    private static String basename(String s) {
        return s.substring(s.lastIndexOf('/') + 1);
    }

    // ---- latest-tag ----

    private void tags(BuildPlan plan, List<Finding> out) {
        for (BuildPlan.ImageUse use : plan.imageUses()) {
            String ref = use.reference();
            int unknown = ref.indexOf(Substitution.UNKNOWN);
            if (unknown >= 0 && ref.indexOf(Substitution.UNKNOWN, ref.lastIndexOf('/') + 1) >= 0) {
                continue; // the repository's last part or its tag comes from the build
            }
            String parsed = unknown < 0 ? ref : ref.replace(Substitution.UNKNOWN, 'x');
            ImageReference r = ImageReference.parse(parsed);
            String shown = use.display();
            String written = use.word().text();
            String resolved = written.equals(shown) ? shown : written + " (= " + shown + ")";
            String subject = use.stage().subject() + " " + (use.how().equals("FROM") ? "builds FROM "
                    : "uses the image " + resolved + " in " + use.how() + ", ");
            if (use.how().equals("FROM")) {
                subject += resolved + ", ";
            }
            String image = unknown < 0 ? ref : shown;
            if (!r.valid()) {
                out.add(new Finding(LatestTag.ID, use.word().position(), use.instruction().keyword(), image, subject
                        + "which is not a valid image reference: " + r.error(),
                        "write the image as [registry/]repository:tag[@sha256:digest] in lowercase, e.g. "
                                + "node:20.11.1-slim"));
            } else if (r.digest() == null && r.tag() == null) {
                out.add(new Finding(LatestTag.ID, use.word().position(), use.instruction().keyword(), image, subject
                        + "which has no tag, so every build takes whatever \"latest\" points to then",
                        "pin a version tag, ideally with its digest: " + pinned(use, shown, r)));
            } else if (r.digest() == null && latest.moving(r.tag())) {
                out.add(new Finding(LatestTag.ID, use.word().position(), use.instruction().keyword(), image, subject
                        + "whose \"" + r.tag() + "\" tag moves, so two builds of the same commit may differ",
                        "pin a version tag, ideally with its digest: " + pinned(use, shown, r)));
            }
        }
    }

    private static String pinned(BuildPlan.ImageUse use, String shown, ImageReference r) {
        String name = r.tag() != null && shown.endsWith(":" + r.tag())
                ? shown.substring(0, shown.length() - r.tag().length() - 1)
                : shown;
        String pin = name + ":<version>@sha256:<digest>";
        return switch (use.how()) {
            case "FROM" -> "FROM " + pin;
            case "COPY --from" -> "COPY --from=" + pin + " ...";
            default -> "RUN --mount=...,from=" + pin;
        };
    }

    // ---- oci-labels ----

    private void labels(BuildPlan plan, ConfigVerdict verdict, List<Finding> out) {
        List<String> missing = requiredLabels.stream().filter(k -> !verdict.labelKeys().contains(k)).toList();
        if (missing.isEmpty()) {
            return;
        }
        Stage target = plan.target();
        boolean many = missing.size() > 1;
        out.add(new Finding(OciLabels.ID, target.from().position(), "FROM", null, target.subject()
                + " does not set the OCI label" + (many ? "s " : " ") + String.join(", ", missing)
                + ", so the image lacks " + (many ? "them" : "it") + " unless the build adds "
                + (many ? "them" : "it"),
                "add LABEL " + missing.get(0) + "=\"...\" to the stage, or pass "
                        + (many ? "them" : "it") + " when building: docker buildx build --label " + missing.get(0)
                        + "=... (or --annotation)"));
    }

    // ---- leaked-secret ----

    /** The planned Env and history, scanned as an image's are; each credential at the instruction behind it. */
    private static void secrets(BuildPlan plan, ConfigVerdict verdict, List<Finding> out) {
        PlannedImage image = plan.shipped();
        List<String> envNames = new ArrayList<>(image.env().keySet());
        Set<Instruction> reported = new LinkedHashSet<>();
        for (ImageVerdict.Secret secret : verdict.secrets()) {
            String d = secret.description();
            if (secret.where() == ImageVerdict.Where.HISTORY) {
                String what = d.replaceFirst(" in history\\[\\d+\\]$", "");
                historySecret(plan, image.history().get(secret.index()), what, out, reported);
                continue;
            }
            String name = envNames.get(secret.index());
            Setting s = image.env().get(name);
            int in = d.indexOf(" in Env");
            String what = d.startsWith(name + " in Env") ? name : d.substring(0, Math.max(0, in)) + " in " + name;
            if (reported.add(s.source())) {
                envSecret(plan, s, what, out);
            }
        }
        // The scan sees a stand-in where the build decides a value; under a credential's name, the build passes a
        // credential there (docker build --build-arg NPM_TOKEN=...), so that value is one.
        image.env().forEach((name, s) -> {
            if (!s.known() && SecretNames.secretName(name) && reported.add(s.source())) {
                envSecret(plan, s, name, out);
            }
        });
        for (PlannedImage.Argument arg : image.arguments()) {
            if (arg.recordedBy() != null && arg.value().kind() != Substitution.Value.Kind.KNOWN
                    && SecretNames.secretName(arg.name()) && reported.add(arg.source())) {
                recordedArgument(plan, arg, out);
            }
        }
    }

    private static void envSecret(BuildPlan plan, Setting s, String what, List<Finding> out) {
        Stage target = plan.target();
        String from = s.known() ? "" : ", from " + String.join(" and ", s.unknown());
        out.add(new Finding(LeakedSecret.ID, s.word().position(), "ENV", null, target.subject() + " puts "
                + what + " into the image's Env" + where(s.source(), s.stage(), target, from)
                + ": anyone who can pull the image can read it (docker inspect)",
                "keep credentials out of ENV: read it at build time from a secret mount (RUN "
                        + "--mount=type=secret,id=token,env=" + envName(what) + " ...) and give it to the container "
                        + "at run time from a Kubernetes Secret; revoke the exposed credential"));
    }

    private static String envName(String what) {
        int space = what.lastIndexOf(' ');
        return space < 0 ? what : what.substring(space + 1);
    }

    private static void historySecret(BuildPlan plan, PlannedImage.History entry, String what, List<Finding> out,
            Set<Instruction> reported) {
        Stage target = plan.target();
        Instruction source = entry.source();
        String where = where(source, entry.stage(), target);
        if (what.endsWith(" (build argument)")) {
            String name = what.substring(0, what.length() - " (build argument)".length());
            PlannedImage.Argument arg = plan.shipped().arguments().stream().filter(a -> a.name().equals(name))
                    .filter(a -> a.recordedBy() != null).findFirst().orElse(null);
            if (arg != null && reported.add(arg.source())) {
                recordedArgument(plan, arg, out);
            }
            return;
        }
        if (!reported.add(source)) {
            return;
        }
        Position at = position(source);
        String kind = what.endsWith(" (ENV)") || what.endsWith(" (ARG)") || what.endsWith(" (RUN command)")
                ? "the credential " + what
                : what;
        out.add(new Finding(LeakedSecret.ID, at, source.keyword(), null, target.subject() + " writes " + kind
                + " into the image's history" + where + ": docker history shows it to anyone who can pull the image",
                "remove it from the Dockerfile and pass it with a BuildKit secret mount (RUN "
                        + "--mount=type=secret,id=token ...); revoke the exposed credential"));
    }

    private static void recordedArgument(BuildPlan plan, PlannedImage.Argument arg, List<Finding> out) {
        String name = arg.name();
        out.add(new Finding(LeakedSecret.ID, arg.word().position(), "ARG", null, plan.target().subject()
                + " records build argument " + name + " in the image's history: the RUN at line "
                + arg.recordedBy().position().line() + " runs with it, and docker history shows its value",
                "pass the credential as a BuildKit secret instead of a build argument: RUN "
                        + "--mount=type=secret,id=token,env=" + name + " ..., built with docker build --secret "
                        + "id=token,env=" + name + "; revoke the exposed credential"));
    }

    /** Where an instruction's arguments start: the command of a RUN, the first pair of an ENV. */
    private static Position position(Instruction i) {
        if (i instanceof Instruction.Command c && !c.line().args().isEmpty()) {
            return c.line().args().get(0).position();
        }
        if (i instanceof Instruction.KeyValues kv && !kv.pairs().isEmpty()) {
            return kv.pairs().get(0).key().position();
        }
        if (i instanceof Instruction.Arg a && !a.declarations().isEmpty()) {
            return a.declarations().get(0).name().position();
        }
        return i.position();
    }

    /** Credential files that COPY or ADD put into the stage chain, directly or from a stage they copy. */
    private static void files(BuildPlan plan, List<Finding> out) {
        Stage target = plan.target();
        Set<Integer> chain = plan.chain().stream().map(Stage::index).collect(Collectors.toSet());
        Set<String> seen = new LinkedHashSet<>();
        for (PlannedImage.PlacedFile f : plan.shipped().files()) {
            if (!chain.contains(f.stage().index())) {
                continue;
            }
            PlannedImage.PlacedFile first = f.first();
            Optional<String> kind = SecretFiles.kind(first.path());
            if (kind.isEmpty()) {
                kind = SecretFiles.kind(first.name());
            }
            if (kind.isEmpty() || !seen.add(f.word().position() + " " + first.path())) {
                continue;
            }
            String removed = f.removedBy() == null ? ""
                    : "; the RUN at line " + f.removedBy().position().line() + " that deletes it does not remove it "
                            + "from the layer " + f.via().keyword() + " made";
            String problem;
            if (f.origin() == null) {
                problem = target.subject() + " copies " + kind.get() + " into the image (" + f.via().keyword()
                        + " at line " + f.via().position().line() + (f.stage().index() == target.index() ? ""
                                : ", in " + f.stage().label())
                        + ")" + removed + ": anyone who can pull the image can read it";
            } else {
                problem = target.subject() + " copies " + kind.get() + " from " + f.origin().stage().label()
                        + " into the image (COPY --from at line " + f.via().position().line() + " takes "
                        + f.origin().path() + ", which the " + first.via().keyword() + " at line "
                        + first.via().position().line() + " put there)" + removed
                        + ": anyone who can pull the image can read it";
            }
            String id = secretId(first.name());
            out.add(new Finding(LeakedSecret.ID, f.word().position(), f.via().keyword(), null, problem,
                    "do not copy credentials into an image: mount them only for the step that needs them, RUN "
                            + "--mount=type=secret,id=" + id + ",target=" + f.path() + " ... (docker build --secret id="
                            + id + ",src=" + first.name() + "), or give them to the container at run time from a "
                            + "Kubernetes Secret; list the file in .dockerignore and revoke what was exposed"));
        }
    }

    private static String secretId(String name) {
        String id = name.replaceAll("[^A-Za-z0-9_-]", "");
        return id.isEmpty() ? "secret" : id;
    }
}
