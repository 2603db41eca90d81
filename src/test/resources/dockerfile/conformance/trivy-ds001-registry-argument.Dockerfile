ARG REGISTRY
FROM ${REGISTRY}/ubuntu
# --- expect ---
# description: the registry comes from the build, and no tag follows the name
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
