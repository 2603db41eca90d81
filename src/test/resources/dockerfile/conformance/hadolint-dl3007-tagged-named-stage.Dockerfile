FROM debian:jessie AS builder
# --- expect ---
# description: a release tag in a named stage
# source: hadolint DL3007 (using latest is prone to errors)
# theirs: pass
# rule: latest-tag
# customs: pass
