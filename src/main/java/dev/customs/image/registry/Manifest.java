package dev.customs.image.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.image.registry.RegistryFailure.Kind;
import dev.customs.rules.Platform;

/**
 * A parsed manifest: an {@link Index} (OCI image index or Docker manifest list) or an {@link Image} manifest (OCI or
 * Docker schema 2). Schema 1 and any other media type are refused with a reason a user can act on.
 */
sealed interface Manifest {

    /** A content descriptor. */
    record Descriptor(String mediaType, String digest, long size) {
    }

    /** One entry of an index; {@code platform} is null when the entry declares none. */
    record Entry(String mediaType, String digest, long size, Platform platform, Map<String, String> annotations) {
        /** True for entries that are image manifests (not nested indexes, not other artifacts). */
        boolean imageManifest() {
            return mediaType == null || mediaType.isEmpty() || mediaType.equals(RegistryClient.OCI_MANIFEST)
                    || mediaType.equals(RegistryClient.DOCKER_MANIFEST);
        }
    }

    record Index(String mediaType, List<Entry> manifests, Map<String, String> annotations) implements Manifest {
    }

    /** An image manifest: its config descriptor, its layers in order (base first), and its annotations. */
    record Image(String mediaType, Descriptor config, List<Descriptor> layers, Map<String, String> annotations)
            implements
                Manifest {
    }

    String mediaType();

    Map<String, String> annotations();

    String SCHEMA1 = "application/vnd.docker.distribution.manifest.v1";

    /**
     * Parses a manifest body, token by token ({@link JsonStream}); {@code contentType} is the registry's header, used
     * when the body names no type. A manifest over one of the {@link ImageLimits} is refused, naming the limit.
     */
    static Manifest parse(ObjectMapper mapper, byte[] body, String contentType) {
        ManifestReading r = new ManifestReading();
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RegistryFailure(Kind.INVALID, "the manifest is not a JSON object");
            }
            r.read(p);
        } catch (IOException e) {
            throw new RegistryFailure(Kind.INVALID, "the manifest is not valid JSON");
        }
        String header = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        String type = r.mediaType.isEmpty() ? header : r.mediaType;
        if (r.schemaVersion == 1 || type.startsWith(SCHEMA1)) {
            throw new RegistryFailure(Kind.INVALID, "the image has a Docker schema 1 manifest, which Customs does not "
                    + "read (deprecated since 2017); push it again with a current builder");
        }
        if (type.isEmpty() || type.equals("application/json")) {
            type = r.hasManifests ? RegistryClient.OCI_INDEX : r.config != null ? RegistryClient.OCI_MANIFEST : "";
        }
        switch (type) {
            case RegistryClient.OCI_INDEX, RegistryClient.DOCKER_LIST -> {
                if (r.manifestCount > ImageLimits.INDEX_ENTRIES) {
                    throw ImageLimits.over("the image index", r.manifestCount, ImageLimits.INDEX_ENTRIES, "manifests");
                }
                return new Index(type, r.entries, r.annotations);
            }
            case RegistryClient.OCI_MANIFEST, RegistryClient.DOCKER_MANIFEST -> {
                if (r.config == null || r.config.digest().isEmpty()) {
                    throw new RegistryFailure(Kind.INVALID, "the manifest has no config descriptor");
                }
                if (r.layerCount > ImageLimits.LAYERS) {
                    throw ImageLimits.over("the image manifest", r.layerCount, ImageLimits.LAYERS, "layers");
                }
                return new Image(type, r.config, List.copyOf(r.layers), r.annotations);
            }
            default -> throw new RegistryFailure(Kind.INVALID, type.isEmpty()
                    ? "the manifest has no media type Customs understands"
                    : "unsupported manifest media type \"" + printable(type) + "\"");
        }
    }

    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 100 ? t.substring(0, 100) + "…" : t;
    }
}

/** What one manifest keeps, as it is read: the fields Customs uses, within the {@link ImageLimits}. */
final class ManifestReading {

    private final ImageLimits.Text text = new ImageLimits.Text("the manifest",
            "its annotations, digests and media types", ImageLimits.MANIFEST_TEXT);
    int schemaVersion;
    String mediaType = "";
    boolean hasManifests;
    long manifestCount;
    final List<Manifest.Entry> entries = new ArrayList<>();
    Map<String, String> annotations = Map.of();
    Manifest.Descriptor config;
    long layerCount;
    final List<Manifest.Descriptor> layers = new ArrayList<>();

    void read(JsonParser p) throws IOException {
        JsonStream.fields(p, field -> {
            switch (field) {
                case "schemaVersion" -> schemaVersion = (int) JsonStream.number(p, 0);
                case "mediaType" -> mediaType = text.add(JsonStream.text(p, ""));
                case "annotations" -> annotations = annotations(p);
                case "manifests" -> {
                    hasManifests = true;
                    entries.clear();
                    manifestCount = JsonStream.elements(p, ImageLimits.INDEX_ENTRIES, () -> entry(p));
                }
                case "config" -> config = descriptor(p);
                case "layers" -> {
                    layers.clear();
                    layerCount = JsonStream.elements(p, ImageLimits.LAYERS, () -> layers.add(descriptor(p)));
                }
                default -> p.skipChildren();
            }
        });
    }

    private void entry(JsonParser p) throws IOException {
        String[] mediaType = { "" };
        String[] digest = { "" };
        long[] size = { -1 };
        Platform[] platform = { null };
        List<Map<String, String>> annotations = new ArrayList<>(List.of(Map.of()));
        JsonStream.fields(p, field -> {
            switch (field) {
                case "mediaType" -> mediaType[0] = text.add(JsonStream.text(p, ""));
                case "digest" -> digest[0] = text.add(JsonStream.text(p, ""));
                case "size" -> size[0] = JsonStream.number(p, -1);
                case "platform" -> platform[0] = platform(p);
                case "annotations" -> annotations.set(0, annotations(p));
                default -> p.skipChildren();
            }
        });
        if (!digest[0].isEmpty()) {
            entries.add(new Manifest.Entry(mediaType[0], digest[0], size[0], platform[0], annotations.get(0)));
        }
    }

    private Platform platform(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String[] v = { "", "", null };
        JsonStream.fields(p, field -> {
            switch (field) {
                case "os" -> v[0] = text.add(JsonStream.text(p, ""));
                case "architecture" -> v[1] = text.add(JsonStream.text(p, ""));
                case "variant" -> v[2] = text.add(JsonStream.text(p, null));
                default -> p.skipChildren();
            }
        });
        return new Platform(v[0], v[1], v[2]);
    }

    private Manifest.Descriptor descriptor(JsonParser p) throws IOException {
        String[] mediaType = { "" };
        String[] digest = { "" };
        long[] size = { -1 };
        JsonStream.fields(p, field -> {
            switch (field) {
                case "mediaType" -> mediaType[0] = text.add(JsonStream.text(p, ""));
                case "digest" -> digest[0] = text.add(JsonStream.text(p, ""));
                case "size" -> size[0] = JsonStream.number(p, -1);
                default -> p.skipChildren();
            }
        });
        return new Manifest.Descriptor(mediaType[0], digest[0], size[0]);
    }

    private Map<String, String> annotations(JsonParser p) throws IOException {
        return JsonStream.strings(p, ImageLimits.ANNOTATIONS, n -> {
            throw ImageLimits.over("the manifest", n, ImageLimits.ANNOTATIONS, "annotations");
        }, text::add);
    }
}
