FROM busybox:1.36
ENV FOO=test GITHUB_TOKEN=test
# --- expect ---
# description: two pairs on one line, one with a secret name
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: fail
