FROM busybox:1.36
ENV GOOGLE_APPLICATION_CREDENTIALS=/credentials/google-storage-service.json
# --- expect ---
# description: a credentials path in ENV, nothing copied there
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: pass
# rule: leaked-secret
# customs: pass
