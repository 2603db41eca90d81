FROM busybox:1.36
ARG FOO=test GITHUB_TOKEN
# --- expect ---
# description: two arguments on one line, one with a secret name
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: pass
# why: no RUN runs with the argument, so its value is recorded nowhere in the image; Customs reports a secret build argument when a RUN records it in the history
