FROM busybox:1.36
ARG ARTIFACTORY_USR
# --- expect ---
# description: a user-name argument
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: pass
# why: a user name is not a credential, and no RUN records the argument
