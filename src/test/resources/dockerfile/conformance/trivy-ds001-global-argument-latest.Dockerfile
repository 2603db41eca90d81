ARG TAG="latest"
FROM foo:${TAG}
# --- expect ---
# description: the tag comes from a global ARG whose default is latest
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
