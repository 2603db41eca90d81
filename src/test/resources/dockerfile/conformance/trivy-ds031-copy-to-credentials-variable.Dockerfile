FROM busybox:1.36
COPY ./config $AWS_CONFIG_FILE
# --- expect ---
# description: COPY to a path held in AWS_CONFIG_FILE
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: pass
# why: nothing in the Dockerfile says what ./config holds or where AWS_CONFIG_FILE points; Customs recognises credential files by their names
