FROM debian AS builder
# --- expect ---
# description: FROM without a tag, in a named stage
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: fail
# rule: latest-tag
# customs: fail
