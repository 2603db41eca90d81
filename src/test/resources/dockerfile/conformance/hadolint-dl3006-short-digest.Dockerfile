FROM ruby@sha256:f1dbca0f5dbc9
# --- expect ---
# description: a digest, but only 13 hex digits of one
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: pass
# rule: latest-tag
# customs: fail
# why: a sha256 digest has 64 hex digits; this reference is not valid, and docker build refuses it too
