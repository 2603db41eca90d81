FROM baseimage as base
FROM base
LABEL org.opencontainers.image.title=app org.opencontainers.image.source=https://example.com/app.git \
      org.opencontainers.image.version=1.0.0 org.opencontainers.image.revision=0123abc
# --- expect ---
# description: the labels are set in the stage built FROM the unlabelled one
# source: hadolint DL3049 (label is missing; the required label here is Customs' four OCI keys)
# theirs: pass
# rule: oci-labels
# customs: pass
