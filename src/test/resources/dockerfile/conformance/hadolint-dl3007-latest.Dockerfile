FROM debian:latest
# --- expect ---
# description: the latest tag
# source: hadolint DL3007 (using latest is prone to errors)
# theirs: fail
# rule: latest-tag
# customs: fail
