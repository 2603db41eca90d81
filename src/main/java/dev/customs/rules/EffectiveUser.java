package dev.customs.rules;

/**
 * A container's effective {@code runAsUser} and {@code runAsNonRoot}: the container's value when set, otherwise the
 * pod's, with where each came from (the field path is built only when a message names it).
 */
record EffectiveUser(PodView pod, ContainerView container, Long uid, EffectiveUser.Where uidFrom, Boolean nonRoot,
        EffectiveUser.Where nonRootFrom) {

    static EffectiveUser of(PodView pod, ContainerView c) {
        PodView.Security csc = c.securityContext();
        PodView.Security psc = pod.podSecurityContext();
        Long uid = null;
        Where uidFrom = null;
        if (csc.runAsUser() != null) {
            uid = csc.runAsUser();
            uidFrom = Where.CONTAINER;
        } else if (psc.runAsUser() != null) {
            uid = psc.runAsUser();
            uidFrom = Where.POD;
        }
        Boolean nonRoot = null;
        Where nonRootFrom = null;
        if (csc.runAsNonRoot() != null) {
            nonRoot = csc.runAsNonRoot();
            nonRootFrom = Where.CONTAINER;
        } else if (psc.runAsNonRoot() != null) {
            nonRoot = psc.runAsNonRoot();
            nonRootFrom = Where.POD;
        }
        return new EffectiveUser(pod, c, uid, uidFrom, nonRoot, nonRootFrom);
    }

    /** Whose securityContext a value came from. */
    enum Where {
        POD,
        CONTAINER
    }

    /** The field path of the effective runAsUser; built only for a message. */
    String uidField() {
        return field(uidFrom, "securityContext.runAsUser");
    }

    /** The field path of the effective runAsNonRoot; built only for a message. */
    String nonRootField() {
        return field(nonRootFrom, "securityContext.runAsNonRoot");
    }

    private String field(Where from, String relative) {
        return from == null ? null : from == Where.CONTAINER ? container.field(relative) : pod.field(relative);
    }

    boolean nonRootRequired() {
        return Boolean.TRUE.equals(nonRoot);
    }
}
