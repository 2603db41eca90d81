FROM scratch
# --- expect ---
# description: scratch is not an image
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: pass
# rule: latest-tag
# customs: pass
