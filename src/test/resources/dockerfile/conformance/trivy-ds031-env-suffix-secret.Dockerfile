FROM busybox:1.36
ENV MY_SECRET=test
# --- expect ---
# description: a name ending in SECRET
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: fail
