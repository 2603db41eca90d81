ARG TAG
FROM foo:${TAG}
# --- expect ---
# description: the tag comes from a global ARG without a default
# source: Trivy DS001 (':latest' tag used)
# theirs: pass
# rule: latest-tag
# customs: pass
