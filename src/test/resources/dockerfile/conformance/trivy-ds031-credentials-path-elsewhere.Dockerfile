FROM busybox:1.36
COPY /src /src
ENV GOOGLE_APPLICATION_CREDENTIALS=./app/google-storage-service.json
# --- expect ---
# description: a credentials path outside what COPY copied
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: pass
# rule: leaked-secret
# customs: pass
