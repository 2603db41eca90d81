FROM node:14.18.1-bullseye as dependencies
RUN apt-get update
FROM alpine:latest
# --- expect ---
# description: the last stage uses latest
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
