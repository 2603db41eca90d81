FROM ${VALUE}
# --- expect ---
# description: the image is a variable no ARG declares
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: pass
# rule: latest-tag
# customs: error
# why: no ARG before the first FROM declares VALUE, so the image name is empty and docker build fails; Customs reports the error instead of a verdict
