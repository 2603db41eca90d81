FROM debian:latest AS builder
# --- expect ---
# description: the latest tag in a named stage
# source: hadolint DL3007 (using latest is prone to errors)
# theirs: fail
# rule: latest-tag
# customs: fail
