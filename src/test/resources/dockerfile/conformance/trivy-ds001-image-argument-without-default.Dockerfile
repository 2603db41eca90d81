ARG BASE_IMAGE
FROM $BASE_IMAGE
# --- expect ---
# description: the whole image comes from a global ARG without a default
# source: Trivy DS001 (':latest' tag used)
# theirs: pass
# rule: latest-tag
# customs: pass
