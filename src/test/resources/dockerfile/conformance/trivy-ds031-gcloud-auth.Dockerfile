FROM ubuntu:22.04
RUN if [[-z "$GOOGLE_APPLICATION_CREDENTIALS"]]; then gcloud auth activate-service-account --key-file=${GOOGLE_APPLICATION_CREDENTIALS}; fi
# --- expect ---
# description: a RUN that logs in with a key file
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: pass
# why: the RUN reads a key file; the key is in the image only if a COPY put it there, which Customs reports at the COPY
