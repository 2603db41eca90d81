FROM node:14.18.1-bullseye as dependencies
RUN apt-get update
FROM dependencies as build
# --- expect ---
# description: a stage built FROM an earlier stage's name
# source: Trivy DS001 (':latest' tag used)
# theirs: pass
# rule: latest-tag
# customs: pass
