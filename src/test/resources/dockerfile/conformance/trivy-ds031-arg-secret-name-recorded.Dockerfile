FROM busybox:1.36
ARG GITHUB_TOKEN
RUN ./fetch-dependencies.sh
# --- expect ---
# description: the same ARG, and a RUN after it
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: fail
