FROM alpine:3.19 AS build
LABEL org.opencontainers.image.title=shop org.opencontainers.image.source=https://example.com/shop.git \
      org.opencontainers.image.version=1.4.2 org.opencontainers.image.revision=0123abc

FROM alpine:3.19
COPY --from=build /out /out
# --- expect ---
# description: labels of a stage the image is not built FROM are not in the image
# finding: 5:1 [oci-labels] stage 2 (FROM alpine:3.19) does not set the OCI labels org.opencontainers.image.title, org.opencontainers.image.source, org.opencontainers.image.version, org.opencontainers.image.revision, so the image lacks them unless the build adds them: add LABEL org.opencontainers.image.title="..." to the stage, or pass them when building: docker buildx build --label org.opencontainers.image.title=... (or --annotation)
