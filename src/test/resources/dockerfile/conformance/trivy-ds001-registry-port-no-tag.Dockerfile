FROM test.registry.com:3000/openjdk
# --- expect ---
# description: a registry with a port, no tag
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
