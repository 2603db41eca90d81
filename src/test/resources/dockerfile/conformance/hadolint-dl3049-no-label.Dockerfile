FROM baseimage
# --- expect ---
# description: a single stage without labels
# source: hadolint DL3049 (label is missing; the required label here is Customs' four OCI keys)
# theirs: fail
# rule: oci-labels
# customs: fail
