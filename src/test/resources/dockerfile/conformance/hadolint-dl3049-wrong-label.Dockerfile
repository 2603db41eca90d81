FROM baseimage
LABEL bar="baz"
# --- expect ---
# description: a single stage with another label
# source: hadolint DL3049 (label is missing; the required label here is Customs' four OCI keys)
# theirs: fail
# rule: oci-labels
# customs: fail
