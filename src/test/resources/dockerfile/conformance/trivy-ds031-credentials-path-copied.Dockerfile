FROM busybox:1.36
COPY /src /app/
ENV GOOGLE_APPLICATION_CREDENTIALS=./app/google-storage-service.json
# --- expect ---
# description: a credentials path inside a directory COPY copied
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: fail
# rule: leaked-secret
# customs: pass
# why: which files a directory copy brings is not in the Dockerfile; Customs reports credential files it can name, and the registry rule finds them in the image's layers
