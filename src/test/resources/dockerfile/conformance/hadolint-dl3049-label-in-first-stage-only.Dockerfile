FROM baseimage
LABEL org.opencontainers.image.title=app org.opencontainers.image.source=https://example.com/app.git \
      org.opencontainers.image.version=1.0.0 org.opencontainers.image.revision=0123abc
FROM newimage
# --- expect ---
# description: the required labels in a first stage the last one is not built FROM
# source: hadolint DL3049 (label is missing; the required label here is Customs' four OCI keys)
# theirs: fail
# rule: oci-labels
# customs: fail
