FROM busybox:1.36
ARG AWS_SECRET_ACCESS_KEY
# --- expect ---
# description: the AWS secret key name in ARG, no default
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: pass
# why: no RUN runs with the argument, so its value is recorded nowhere in the image; Customs reports a secret build argument when a RUN records it in the history
