package dev.customs.rules;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;

/**
 * A container's effective {@code runAsUser} and {@code runAsNonRoot}: the container's value when set, otherwise the
 * pod's, with the field path of whichever was used.
 */
record EffectiveUser(Long uid, String uidField, Boolean nonRoot, String nonRootField) {

    static EffectiveUser of(PodView pod, ContainerView c) {
        SecurityContext csc = c.securityContext();
        PodSecurityContext psc = pod.podSecurityContext();
        Long uid = null;
        String uidField = null;
        if (csc != null && csc.getRunAsUser() != null) {
            uid = csc.getRunAsUser();
            uidField = c.field("securityContext.runAsUser");
        } else if (psc != null && psc.getRunAsUser() != null) {
            uid = psc.getRunAsUser();
            uidField = pod.field("securityContext.runAsUser");
        }
        Boolean nonRoot = null;
        String nonRootField = null;
        if (csc != null && csc.getRunAsNonRoot() != null) {
            nonRoot = csc.getRunAsNonRoot();
            nonRootField = c.field("securityContext.runAsNonRoot");
        } else if (psc != null && psc.getRunAsNonRoot() != null) {
            nonRoot = psc.getRunAsNonRoot();
            nonRootField = pod.field("securityContext.runAsNonRoot");
        }
        return new EffectiveUser(uid, uidField, nonRoot, nonRootField);
    }

    boolean nonRootRequired() {
        return Boolean.TRUE.equals(nonRoot);
    }
}
