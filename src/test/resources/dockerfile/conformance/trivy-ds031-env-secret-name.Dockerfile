FROM busybox:1.36
ENV GITHUB_TOKEN=test
# --- expect ---
# description: a secret name with a value in ENV
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: fail
