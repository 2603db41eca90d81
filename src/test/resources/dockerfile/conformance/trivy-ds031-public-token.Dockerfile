FROM busybox:1.36
ARG public_token
# --- expect ---
# description: an argument named public_token
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: pass
# rule: leaked-secret
# customs: pass
