FROM openjdk:8u292-oracle
# --- expect ---
# description: a version tag
# source: Trivy DS001 (':latest' tag used)
# theirs: pass
# rule: latest-tag
# customs: pass
