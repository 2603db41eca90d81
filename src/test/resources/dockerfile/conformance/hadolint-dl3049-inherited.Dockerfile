FROM baseimage as base
LABEL org.opencontainers.image.title=app org.opencontainers.image.source=https://example.com/app.git \
      org.opencontainers.image.version=1.0.0 org.opencontainers.image.revision=0123abc
FROM base
# --- expect ---
# description: the last stage is built FROM the stage with the labels
# source: hadolint DL3049 (label is missing; the required label here is Customs' four OCI keys)
# theirs: pass
# rule: oci-labels
# customs: pass
