FROM debian
# --- expect ---
# description: FROM without a tag
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: fail
# rule: latest-tag
# customs: fail
