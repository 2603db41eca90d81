FROM baseimage
FROM newimage
LABEL org.opencontainers.image.title=app org.opencontainers.image.source=https://example.com/app.git \
      org.opencontainers.image.version=1.0.0 org.opencontainers.image.revision=0123abc
# --- expect ---
# description: the required labels in the last stage only
# source: hadolint DL3049 (label is missing; the required label here is Customs' four OCI keys)
# theirs: fail
# rule: oci-labels
# customs: pass
# why: the first stage does not ship; hadolint reports every stage without the label, Customs the image that ships
