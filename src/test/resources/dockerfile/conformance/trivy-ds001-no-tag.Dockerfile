FROM openjdk
# --- expect ---
# description: no tag
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
