ARG REPO=repo
ARG IMAGE=image
FROM $REPO/$IMAGE:latest
# --- expect ---
# description: name from two ARGs, then :latest
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: fail
