FROM alpine:3.19
ARG VERSION=0.0.0-dev
ARG REVISION
LABEL org.opencontainers.image.title="shop" \
      org.opencontainers.image.source="https://example.com/shop.git" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# --- expect ---
# description: every required key, the revision from the build
