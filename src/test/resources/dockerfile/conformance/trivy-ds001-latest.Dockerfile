FROM openjdk:latest
# --- expect ---
# description: the latest tag
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
