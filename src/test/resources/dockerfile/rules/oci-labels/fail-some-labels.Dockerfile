FROM alpine:3.19
ARG REVISION
LABEL org.opencontainers.image.title="shop" \
      org.opencontainers.image.revision=$REVISION
# --- expect ---
# description: two of the four required keys; the revision from a build argument counts as set
# finding: 1:1 [oci-labels] stage 1 (FROM alpine:3.19) does not set the OCI labels org.opencontainers.image.source, org.opencontainers.image.version, so the image lacks them unless the build adds them: add LABEL org.opencontainers.image.source="..." to the stage, or pass them when building: docker buildx build --label org.opencontainers.image.source=... (or --annotation)
