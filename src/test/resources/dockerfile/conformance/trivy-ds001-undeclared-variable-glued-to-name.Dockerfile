FROM alpine$TAG
# --- expect ---
# description: an undeclared variable glued to the image name
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
