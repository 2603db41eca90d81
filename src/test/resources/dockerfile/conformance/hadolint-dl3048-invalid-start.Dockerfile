FROM alpine:3.19
LABEL org.opencontainers.image.title=app org.opencontainers.image.source=https://example.com/app.git \
      org.opencontainers.image.version=1.0.0 org.opencontainers.image.revision=0123abc
LABEL .invalid="foo"
# --- expect ---
# description: a key starting with a dot
# source: hadolint DL3048 (invalid label key)
# theirs: fail
# rule: oci-labels
# customs: pass
# why: Customs requires the OCI keys and does not judge how other keys are spelt; BuildKit accepts the key
