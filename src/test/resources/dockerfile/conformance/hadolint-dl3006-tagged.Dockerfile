FROM ruby:2
# --- expect ---
# description: a version tag
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: pass
# rule: latest-tag
# customs: pass
