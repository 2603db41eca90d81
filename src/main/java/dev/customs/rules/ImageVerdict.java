package dev.customs.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one platform image says about itself, judged once: everything a rule can conclude from the image alone.
 *
 * <p>
 * <b>Contract.</b>
 * <ul>
 * <li><b>Pure and total.</b> {@link #judge} and {@link ConfigVerdict#judge} read only their arguments, do no I/O,
 * keep no state and return a verdict for any well-formed {@link ImageConfig}; the same inputs always give an equal
 * verdict. So a verdict can be cached for as long as the bytes it was judged from, which are content-addressed.</li>
 * <li><b>Judged once per digest.</b> The part that depends only on the image config — its user, the process it starts,
 * its label keys, the credentials in its {@code Env} and {@code history}, which history entry made each layer, the
 * base named by its labels — is the {@link ConfigVerdict}, judged when the config is cached (by config digest) and
 * kept beside it. This record adds what the manifest and the index it was reached through say (annotations, layers,
 * size); that part is cheap and is combined once per platform image.</li>
 * <li><b>Image only.</b> Nothing here depends on a pod. A rule keeps only what does — {@code runAsUser},
 * {@code runAsNonRoot}, {@code command}, {@code args} — and combines it with the verdict at review time, so a warm
 * review runs no regular expression over image content.</li>
 * <li><b>One meaning at every stage.</b> The same verdict serves admission, the background audit,
 * {@code customs check}, and a Dockerfile's planned image (an {@link ImageConfig} the Dockerfile would build, judged
 * with no layers or annotations). Findings say where in the config they were found ({@link Secret#where()},
 * {@link Secret#index()}), so a stage that knows source lines can point at the instruction.</li>
 * <li><b>Layers join by digest.</b> {@link #layers()} names every layer's digest with the {@code history}
 * instruction that made it. What is found inside layer files is judged per layer digest by whatever reads layers and is
 * joined to this verdict at review time; a layer shared by many images is judged once.</li>
 * <li><b>Bounded by its input.</b> A verdict holds no more than the config and manifest it was judged from (less:
 * keys, not values). Caps on what an image may hold are applied before judging, when the config is parsed: an image
 * over a cap is unavailable, never judged on a truncated config.</li>
 * </ul>
 *
 * @param platform the platform this image is for
 * @param config the config's own verdict, shared by every platform image with the same config digest
 * @param keys every label and annotation key with a non-blank value (config {@code Labels}, manifest and index
 *        annotations)
 * @param layers the manifest's layers in order, each with the history entry that made it when the history says
 * @param compressedSize the sum of the layers' sizes in bytes (what a node pulls); {@code -1} when a layer's size is
 *        unknown
 * @param base the base image the image records ({@code org.opencontainers.image.base.name} and {@code .digest},
 *        annotations before labels), or empty
 */
public record ImageVerdict(Platform platform, ConfigVerdict config, Set<String> keys, List<BuiltLayer> layers,
        long compressedSize, Optional<Base> base) {

    /** The annotation (or label) that names an image's base image. */
    public static final String BASE_NAME = "org.opencontainers.image.base.name";
    /** The annotation (or label) that gives the digest of an image's base image. */
    public static final String BASE_DIGEST = "org.opencontainers.image.base.digest";

    public ImageVerdict {
        Set<String> canonical = new HashSet<>(keys.size());
        for (String k : keys) {
            canonical.add(OciLabels.canonicalKey(k));
        }
        keys = Set.copyOf(canonical);
        layers = List.copyOf(layers);
    }

    /**
     * Combines a config's verdict with what the manifest says.
     *
     * @param platform the platform image's platform
     * @param config the verdict of its config
     * @param annotations the manifest's annotations over the index's (manifest wins); may be empty
     * @param manifestLayers the manifest's layers in order; empty when unknown (a Dockerfile's planned image)
     */
    public static ImageVerdict judge(Platform platform, ConfigVerdict config, Map<String, String> annotations,
            List<Layer> manifestLayers) {
        Set<String> keys = config.labelKeys();
        if (annotations != null && !annotations.isEmpty()) {
            Set<String> all = new HashSet<>(keys);
            annotations.forEach((k, v) -> {
                if (v != null && !v.isBlank()) {
                    all.add(k);
                }
            });
            keys = all;
        }
        List<Layer> ls = manifestLayers == null ? List.of() : manifestLayers;
        List<Integer> made = config.layerHistory();
        boolean mapped = made.size() == ls.size();
        List<BuiltLayer> layers = new ArrayList<>(ls.size());
        long size = 0;
        for (int i = 0; i < ls.size(); i++) {
            Layer l = ls.get(i);
            int h = mapped ? made.get(i) : -1;
            layers.add(new BuiltLayer(l, h, mapped ? config.layerInstructions().get(i) : ""));
            size = size < 0 || l.size() < 0 ? -1 : size + l.size();
        }
        return new ImageVerdict(platform, config, keys, layers, size, base(annotations, config.base()));
    }

    /** The base named by annotations, else by labels (each of name and digest from the first that sets it). */
    private static Optional<Base> base(Map<String, String> annotations, Optional<Base> fromLabels) {
        String name = annotations == null ? null : nonBlank(annotations.get(BASE_NAME));
        String digest = annotations == null ? null : nonBlank(annotations.get(BASE_DIGEST));
        if (name == null && digest == null) {
            return fromLabels;
        }
        if (name == null) {
            name = fromLabels.map(Base::name).orElse(null);
        }
        if (digest == null) {
            digest = fromLabels.map(Base::digest).orElse(null);
        }
        return Optional.of(Base.of(name, digest));
    }

    static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** True when the image carries {@code key} with a non-blank value, as a config label or an annotation. */
    public boolean hasKey(String key) {
        return keys.contains(key);
    }

    public User user() {
        return config.user();
    }

    public Process process() {
        return config.process();
    }

    public List<Secret> secrets() {
        return config.secrets();
    }

    /**
     * The image's user, read the way the kubelet reads the config's {@code User}: {@code uid[:gid]} or
     * {@code name[:group]}, where an empty user means root.
     *
     * @param raw the config's {@code User} as written ({@code ""} when unset)
     * @param kind root, a numeric non-root uid, or a name the kubelet cannot verify
     */
    public record User(String raw, Kind kind) {

        public enum Kind {
            /** {@code ""}, {@code 0}, {@code root}, {@code 0:<g>}, {@code root:<g>}. */
            ROOT,
            /** A numeric uid other than 0. */
            NUMERIC_NON_ROOT,
            /** A user name other than root: non-root by name, but the kubelet cannot verify it. */
            NAMED
        }

        public static User of(String raw) {
            String r = raw == null ? "" : raw;
            String u = ImageUser.userPart(r);
            Kind kind = ImageUser.isRoot(r) ? Kind.ROOT : ImageUser.isNumeric(u) ? Kind.NUMERIC_NON_ROOT : Kind.NAMED;
            return new User(r, kind);
        }

        public boolean root() {
            return kind == Kind.ROOT;
        }
    }

    /**
     * The process the image starts when the pod overrides neither {@code command} nor {@code args}, and what its
     * {@code Entrypoint} does with arguments.
     *
     * @param entrypoint the config's {@code Entrypoint}
     * @param cmd the config's {@code Cmd}
     * @param argv {@code Entrypoint + Cmd}: what runs by default
     * @param pid1 the program that is PID 1 by default (what hands over with exec, such as {@code env} or an official
     *        image's {@code docker-entrypoint.sh}, looked through), or {@code ""}
     * @param handsOver true when the entrypoint runs what follows it ({@code Cmd}, or a pod's {@code args}) as the
     *        app: none is set, or it is an init, {@code env} or an entrypoint script that ends in {@code exec "$@"}
     * @param shellForm the shell or package manager the default argv leaves as PID 1, what was looked through to find
     *        it and why it does not forward signals; empty when it does not
     */
    public record Process(List<String> entrypoint, List<String> cmd, List<String> argv, String pid1, boolean handsOver,
            Optional<ShellFormEntrypoint.Finding> shellForm) {

        public Process {
            entrypoint = List.copyOf(entrypoint);
            cmd = List.copyOf(cmd);
            argv = List.copyOf(argv);
        }

        static Process of(List<String> entrypoint, List<String> cmd) {
            List<String> argv = new ArrayList<>(entrypoint.size() + cmd.size());
            argv.addAll(entrypoint);
            argv.addAll(cmd);
            return new Process(entrypoint, cmd, argv, ShellFormEntrypoint.pid1(argv),
                    ShellFormEntrypoint.handsOver(entrypoint), ShellFormEntrypoint.analyse(argv));
        }

        /** The argv that runs with a pod's {@code args} (and no {@code command}): the entrypoint followed by them. */
        public List<String> argvWith(List<String> args) {
            if (args.isEmpty()) {
                return argv;
            }
            List<String> out = new ArrayList<>(entrypoint.size() + args.size());
            out.addAll(entrypoint);
            out.addAll(args);
            return out;
        }
    }

    /** Where in an image config a credential was found. */
    public enum Where {
        /** The config's {@code Env}; the index is the entry's. */
        ENV,
        /** The config's {@code history}; the index is the entry's ({@code history[3]}). */
        HISTORY
    }

    /**
     * One credential found in an image config: never its value.
     *
     * @param description what and where, as messages show it: {@code NPM_TOKEN (build argument) in history[2]}
     * @param where the part of the config it is in
     * @param index the index of the entry in that part
     */
    public record Secret(String description, Where where, int index) {
    }

    /**
     * One layer of the manifest with the history entry that made it: the {@code n}th history entry that is not
     * {@code empty_layer} made the {@code n}th layer. When the history does not account for every layer, no layer is
     * attributed.
     *
     * @param layer the layer as the manifest lists it
     * @param history the index of the history entry that made it, or {@code -1} when unknown
     * @param createdBy that entry's {@code created_by} (the instruction), or {@code ""} when unknown
     */
    public record BuiltLayer(Layer layer, int history, String createdBy) {
    }

    /**
     * The base image an image records. {@code reference} is the name parsed once, so rules read its tag and digest
     * without parsing.
     *
     * @param name {@code org.opencontainers.image.base.name} as written, or null when only a digest is recorded
     * @param reference the name parsed with the distribution grammar, or null when there is no name
     * @param digest {@code org.opencontainers.image.base.digest}, or null
     */
    public record Base(String name, ImageReference reference, String digest) {

        static Base of(String name, String digest) {
            return new Base(name, name == null ? null : ImageReference.parse(name), digest);
        }

        /** True when a digest pins the base: the base digest, or a digest in the name. */
        public boolean pinned() {
            return digest != null || reference != null && reference.valid() && reference.digest() != null;
        }
    }
}
