FROM alpine:3.19
LABEL org.opencontainers.image.title=app org.opencontainers.image.source=https://example.com/app.git \
      org.opencontainers.image.version=1.0.0 org.opencontainers.image.revision=0123abc
LABEL org.valid-key.label3="foo"
# --- expect ---
# description: a valid key
# source: hadolint DL3048 (invalid label key)
# theirs: pass
# rule: oci-labels
# customs: pass
