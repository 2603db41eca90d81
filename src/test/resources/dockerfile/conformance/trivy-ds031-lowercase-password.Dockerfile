FROM busybox:1.36
ENV password=test
# --- expect ---
# description: a lowercase password name
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: fail
