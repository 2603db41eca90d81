FROM busybox:1.36
ENV GITHUB_TOKEN test
# --- expect ---
# description: the legacy ENV form
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: fail
