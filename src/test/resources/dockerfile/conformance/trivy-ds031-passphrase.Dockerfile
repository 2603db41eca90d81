FROM busybox:1.36
ENV SECRET_PASSPHRASE=test
# --- expect ---
# description: a name ending in PASSPHRASE
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: fail
