FROM test.registry.com:3000/openjdk:latest
# --- expect ---
# description: a registry with a port and the latest tag
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
