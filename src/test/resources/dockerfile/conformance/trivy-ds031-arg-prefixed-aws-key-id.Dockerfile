FROM busybox:1.36
ARG VITE_AWS_ACCESS_KEY_ID=REPLACE_WITH_YOUR_OWN
# --- expect ---
# description: an AWS access key id name behind a VITE_ prefix, with a placeholder
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: pass
# why: an access key id identifies a key, it is not the secret half, and the value here is a placeholder
