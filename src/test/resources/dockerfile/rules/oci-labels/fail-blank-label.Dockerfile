FROM alpine:3.19
LABEL org.opencontainers.image.title=shop org.opencontainers.image.source=https://example.com/shop.git
LABEL org.opencontainers.image.version=1.4.2 org.opencontainers.image.revision=""
# --- expect ---
# description: a blank value is as good as none
# finding: 1:1 [oci-labels] stage 1 (FROM alpine:3.19) does not set the OCI label org.opencontainers.image.revision, so the image lacks it unless the build adds it: add LABEL org.opencontainers.image.revision="..." to the stage, or pass it when building: docker buildx build --label org.opencontainers.image.revision=... (or --annotation)
