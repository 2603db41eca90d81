package dev.customs.rules;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code image-size}: an image whose compressed size is over the configured limit. The compressed size is the sum of
 * the layer sizes its manifest declares, per platform evaluated: what a node pulls before the container can start, and
 * what it keeps on disk. A large image slows every rollout and scale-up, and usually carries a build toolchain or a full
 * distribution the app never uses.
 *
 * <p>
 * Reads the image verdict's {@link ImageVerdict#compressedSize()} and {@link ImageVerdict#layers()}, which the
 * inspector keeps from the manifest it already fetched: no extra request. Off (no finding, no image needed) until
 * {@code customs.rules."image-size".max-size} is set. An image whose manifest does not declare every layer's size
 * passes. The message gives the size, the limit, and the largest layers with the history instruction that made each.
 */
public final class ImageSize implements Rule {

    public static final String ID = "image-size";

    /** How many of the largest layers a finding names. */
    static final int LARGEST = 3;

    private static final Pattern SIZE = Pattern
            .compile("([0-9]+(?:\\.[0-9]+)?)\\s*(b|k|kb|ki|kib|m|mb|mi|mib|g|gb|gi|gib|t|tb|ti|tib)?");

    private final long limit;
    private final String written;

    /** Off. */
    public ImageSize() {
        this(null);
    }

    /**
     * @param maxSize the limit as configured ({@code 500MB}, {@code 1.5GB}, {@code 800MiB}, bytes), or null for off
     * @throws IllegalArgumentException when it is not a size
     */
    public ImageSize(String maxSize) {
        this.written = maxSize == null || maxSize.isBlank() ? null : maxSize.strip();
        this.limit = written == null ? 0 : parse(written);
    }

    @Override
    public String id() {
        return ID;
    }

    /** Only with a limit: without one the rule has nothing to ask of an image. */
    @Override
    public boolean readsImage() {
        return limit > 0;
    }

    /** Only with a limit. */
    @Override
    public boolean enabled() {
        return limit > 0;
    }

    /** The limit in bytes, or 0 when the rule is off. */
    public long limit() {
        return limit;
    }

    private record Over(long size, String largest) {
    }

    @Override
    public void evaluate(PodView pod, ImageLookup images, Findings out) {
        if (limit <= 0) {
            return;
        }
        PlatformGroups.eachImage(pod, images, out, p -> {
            ImageVerdict v = p.verdict();
            long size = v.compressedSize();
            if (size < 0 || size <= limit || v.layers().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Over(size, largest(v.layers())));
        }, (c, g) -> out.violation(c, c.field("image"),
                c.subject() + " is " + format(g.outcome().size()) + " compressed" + g.suffix() + ", over the "
                        + written + " limit; its largest layers are " + g.outcome().largest(),
                "make the image smaller: a slim or distroless base, a multi-stage build that copies only what the "
                        + "app runs, no build tools or caches in the last stage (npm ci --omit=dev, "
                        + "rm -rf /var/lib/apt/lists/*); or raise customs.rules.\"image-size\".max-size"));
    }

    /** The largest layers, biggest first, each with the instruction that made it. */
    static String largest(List<ImageVerdict.BuiltLayer> layers) {
        List<ImageVerdict.BuiltLayer> sorted = new ArrayList<>(layers);
        sorted.sort(Comparator.comparingLong((ImageVerdict.BuiltLayer l) -> l.layer().size()).reversed());
        return sorted.stream().limit(LARGEST).map(l -> format(l.layer().size()) + " (" + instruction(l) + ")")
                .collect(Collectors.joining(", "));
    }

    /**
     * The instruction that made a layer, short and safe: the builder's {@code created_by} without the shell prefix and
     * BuildKit's marker, build arguments left out (they may carry credentials), cut at 60 characters.
     */
    static String instruction(ImageVerdict.BuiltLayer l) {
        String s = l.createdBy().strip();
        if (s.isEmpty()) {
            return "no history";
        }
        s = s.replaceFirst("^/bin/sh -c #\\(nop\\)\\s*", "").replaceFirst(" # buildkit$", "");
        s = s.replaceFirst("^(RUN )?\\|\\d+ (?:\\S+=\\S*\\s+)*", "RUN ");
        s = s.replaceFirst("^(RUN )?/bin/sh -c ", "RUN ");
        s = s.replaceAll("\\s+", " ");
        // an assignment's value may be a credential: show its name only
        s = s.replaceAll("([A-Za-z_][A-Za-z0-9_]*)=\\S+", "$1=…");
        return s.length() > 60 ? s.substring(0, 59) + "…" : s;
    }

    /** {@code 939.2 MB}: decimal megabytes, as registries and {@code docker images} show sizes. */
    static String format(long bytes) {
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1_000.0);
        }
        if (bytes < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1_000_000_000.0);
    }

    /**
     * A size as configured: a number and an optional unit, {@code B}, {@code kB}/{@code MB}/{@code GB}/{@code TB}
     * (powers of 1000, also written {@code k}, {@code M}, {@code G}, {@code T}) or {@code KiB}/{@code MiB}/
     * {@code GiB}/{@code TiB} (powers of 1024, also {@code Ki}, {@code Mi}, ...). Bytes without a unit.
     */
    static long parse(String size) {
        Matcher m = SIZE.matcher(size.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("customs.rules.\"image-size\".max-size: \"" + size
                    + "\" is not a size; write it as 500MB, 1.5GB or 800MiB");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit) {
            case "b" -> 1L;
            case "k", "kb" -> 1_000L;
            case "ki", "kib" -> 1L << 10;
            case "m", "mb" -> 1_000_000L;
            case "mi", "mib" -> 1L << 20;
            case "g", "gb" -> 1_000_000_000L;
            case "gi", "gib" -> 1L << 30;
            case "t", "tb" -> 1_000_000_000_000L;
            default -> 1L << 40;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
        if (bytes.signum() <= 0 || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("customs.rules.\"image-size\".max-size: \"" + size
                    + "\" is not a positive size");
        }
        return bytes.longValue();
    }
}
