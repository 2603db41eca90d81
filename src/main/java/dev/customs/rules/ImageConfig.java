package dev.customs.rules;

import java.util.List;
import java.util.Map;

/**
 * The parts of an OCI image configuration the rules read: the {@code config} object's {@code User},
 * {@code Entrypoint}, {@code Cmd}, {@code Env} and {@code Labels}, and the build {@code history}. Absent lists are
 * empty, an absent user is {@code ""} (which means root), absent labels are empty.
 */
public record ImageConfig(Platform platform, String user, List<String> entrypoint, List<String> cmd, List<String> env,
        Map<String, String> labels, List<History> history) {

    public ImageConfig {
        platform = platform == null ? Platform.UNKNOWN : platform;
        user = user == null ? "" : user;
        entrypoint = copy(entrypoint);
        cmd = copy(cmd);
        env = copy(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        history = history == null ? List.of() : List.copyOf(history);
    }

    private static List<String> copy(List<String> list) {
        // List.copyOf rejects nulls; an image config may legally contain a null array, never null elements we care for
        return list == null ? List.of() : list.stream().map(s -> s == null ? "" : s).toList();
    }

    /** One {@code history} entry: the instruction that produced a layer, as recorded by the builder. */
    public record History(String createdBy, boolean emptyLayer) {
        public History {
            createdBy = createdBy == null ? "" : createdBy;
        }
    }

    /** A config with only a user set, for tests and examples. */
    public static ImageConfig withUser(String user) {
        return new ImageConfig(Platform.of("linux", "amd64"), user, null, null, null, null, null);
    }
}
