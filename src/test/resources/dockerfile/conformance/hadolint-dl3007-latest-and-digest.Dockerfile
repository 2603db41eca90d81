FROM hub.docker.io/debian:latest@sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb
# --- expect ---
# description: latest with a digest: the digest decides
# source: hadolint DL3007 (using latest is prone to errors)
# theirs: pass
# rule: latest-tag
# customs: pass
