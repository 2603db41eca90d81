FROM debian:jessie
# --- expect ---
# description: a release tag
# source: hadolint DL3007 (using latest is prone to errors)
# theirs: pass
# rule: latest-tag
# customs: pass
