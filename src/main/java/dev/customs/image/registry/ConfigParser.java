package dev.customs.image.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.image.registry.RegistryFailure.Kind;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.Platform;

/** Reads the parts of an OCI or Docker image configuration blob the rules use into an {@link ImageConfig}. */
final class ConfigParser {

    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

    private ConfigParser() {
    }

    /** True when a config descriptor's media type is an image configuration (empty counts as one). */
    static boolean imageConfig(String mediaType) {
        return mediaType == null || mediaType.isEmpty() || mediaType.equals(OCI_CONFIG)
                || mediaType.equals(DOCKER_CONFIG);
    }

    /**
     * Parses a config blob, token by token ({@link JsonStream}): what is not kept is never built. An image over one of
     * the {@link ImageLimits} is refused with a {@link Kind#INVALID} failure that names the limit and the count.
     */
    static ImageConfig parse(ObjectMapper mapper, byte[] body) {
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RegistryFailure(Kind.INVALID, "the image config is not a JSON object");
            }
            Reading r = new Reading(p);
            JsonStream.fields(p, r::root);
            return new ImageConfig(new Platform(r.os, r.architecture, r.variant), r.user, r.entrypoint, r.cmd, r.env,
                    r.labels, r.history);
        } catch (IOException e) {
            throw new RegistryFailure(Kind.INVALID, "the image config is not valid JSON");
        }
    }

    private static final String WHAT = "the image config";

    /** What one config keeps, as it is read. */
    private static final class Reading {
        final JsonParser p;
        final ImageLimits.Text text = new ImageLimits.Text(WHAT,
                "its environment, labels, entrypoint, command and history", ImageLimits.TEXT);
        String os = "unknown";
        String architecture = "unknown";
        String variant;
        String user = "";
        List<String> entrypoint = List.of();
        List<String> cmd = List.of();
        List<String> env = List.of();
        Map<String, String> labels = Map.of();
        List<ImageConfig.History> history = List.of();

        Reading(JsonParser p) {
            this.p = p;
        }

        void root(String field) throws IOException {
            switch (field) {
                case "os" -> os = text.add(JsonStream.text(p, "unknown"));
                case "architecture" -> architecture = text.add(JsonStream.text(p, "unknown"));
                case "variant" -> variant = text.add(JsonStream.text(p, null));
                case "config" -> {
                    user = "";
                    entrypoint = cmd = env = List.of();
                    labels = Map.of();
                    JsonStream.fields(p, this::config);
                }
                case "history" -> history = history();
                default -> p.skipChildren();
            }
        }

        void config(String field) throws IOException {
            switch (field) {
                case "User" -> user = text.add(JsonStream.text(p, ""));
                case "Entrypoint" -> entrypoint = strings(ImageLimits.ARGUMENTS, "Entrypoint arguments");
                case "Cmd" -> cmd = strings(ImageLimits.ARGUMENTS, "Cmd arguments");
                case "Env" -> env = strings(ImageLimits.ENV, "Env entries");
                case "Labels" -> labels = labels();
                default -> p.skipChildren();
            }
        }

        List<String> strings(int limit, String unit) throws IOException {
            List<String> out = new ArrayList<>();
            long n = JsonStream.elements(p, limit, () -> out.add(text.add(JsonStream.text(p, ""))));
            if (n > limit) {
                throw ImageLimits.over(WHAT, n, limit, unit);
            }
            return out;
        }

        Map<String, String> labels() throws IOException {
            Map<String, String> out = new LinkedHashMap<>();
            long[] n = { 0 };
            JsonStream.fields(p, name -> {
                n[0]++;
                JsonToken t = p.currentToken();
                if (n[0] <= ImageLimits.LABELS && t.isScalarValue() && t != JsonToken.VALUE_NULL) {
                    out.put(text.add(name), text.add(p.getText()));
                } else {
                    p.skipChildren();
                }
            });
            if (n[0] > ImageLimits.LABELS) {
                throw ImageLimits.over(WHAT, n[0], ImageLimits.LABELS, "labels");
            }
            return out;
        }

        List<ImageConfig.History> history() throws IOException {
            List<ImageConfig.History> out = new ArrayList<>();
            long n = JsonStream.elements(p, ImageLimits.HISTORY, () -> {
                String[] createdBy = { "" };
                boolean[] empty = { false };
                JsonStream.fields(p, f -> {
                    switch (f) {
                        case "created_by" -> createdBy[0] = text.add(JsonStream.text(p, ""));
                        case "empty_layer" -> empty[0] = JsonStream.bool(p);
                        default -> p.skipChildren();
                    }
                });
                out.add(new ImageConfig.History(createdBy[0], empty[0]));
            });
            if (n > ImageLimits.HISTORY) {
                throw ImageLimits.over(WHAT, n, ImageLimits.HISTORY, "history entries");
            }
            return out;
        }
    }
}
