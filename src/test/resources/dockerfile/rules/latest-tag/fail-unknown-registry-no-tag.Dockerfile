ARG REGISTRY
FROM ${REGISTRY}/ubuntu
# --- expect ---
# description: the registry comes from the build, but no tag follows the name in any case
# finding: 2:6 [latest-tag] stage 1 (FROM ${REGISTRY}/ubuntu) builds FROM ${REGISTRY}/ubuntu, which has no tag, so every build takes whatever "latest" points to then: pin a version tag, ideally with its digest: FROM ${REGISTRY}/ubuntu:<version>@sha256:<digest>
