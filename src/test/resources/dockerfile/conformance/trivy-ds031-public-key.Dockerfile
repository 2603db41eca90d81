FROM busybox:1.36
ENV PUBLIC_KEY=test
# --- expect ---
# description: a public key
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: pass
# rule: leaked-secret
# customs: pass
