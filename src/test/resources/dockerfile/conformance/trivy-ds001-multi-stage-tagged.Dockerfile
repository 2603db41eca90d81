FROM golang:1.15 as builder
RUN apt-get update
FROM alpine:3.13
# --- expect ---
# description: two tagged stages
# source: Trivy DS001 (':latest' tag used)
# theirs: pass
# rule: latest-tag
# customs: pass
