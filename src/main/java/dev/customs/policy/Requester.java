package dev.customs.policy;

import java.util.List;

/**
 * Who asked and where: the request's namespace and user. Exemptions and namespace overrides are decided from it.
 *
 * @param namespace the namespace of the object
 * @param username the requesting user
 * @param groups the requesting user's groups
 * @param dryRun whether the request is a dry run (evaluated normally, but no Events)
 */
public record Requester(String namespace, String username, List<String> groups, boolean dryRun) {

    public Requester {
        namespace = namespace == null ? "" : namespace;
        username = username == null ? "" : username;
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** A requester known only by namespace (the background audit). */
    public static Requester namespace(String namespace) {
        return new Requester(namespace, "", List.of(), false);
    }
}
