FROM node:20.11.1-slim
CMD ["node", "server.js"]
# --- expect ---
# description: no LABEL at all
# finding: 1:1 [oci-labels] stage 1 (FROM node:20.11.1-slim) does not set the OCI labels org.opencontainers.image.title, org.opencontainers.image.source, org.opencontainers.image.version, org.opencontainers.image.revision, so the image lacks them unless the build adds them: add LABEL org.opencontainers.image.title="..." to the stage, or pass them when building: docker buildx build --label org.opencontainers.image.title=... (or --annotation)
