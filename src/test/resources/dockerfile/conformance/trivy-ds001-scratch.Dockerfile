FROM scratch
# --- expect ---
# description: scratch
# source: Trivy DS001 (':latest' tag used)
# theirs: pass
# rule: latest-tag
# customs: pass
