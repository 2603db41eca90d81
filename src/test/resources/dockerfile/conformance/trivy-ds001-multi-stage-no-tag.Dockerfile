FROM node:14.18.1-bullseye as dependencies
RUN apt-get update
FROM alpine
# --- expect ---
# description: the last stage has no tag
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
