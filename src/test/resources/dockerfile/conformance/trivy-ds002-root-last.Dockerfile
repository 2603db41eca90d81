FROM alpine:3.13
RUN apt-get update
USER user1
RUN apt-get update
USER root
RUN apt-get update
# --- expect ---
# description: the last USER is root
# source: Trivy DS002 (image user should not be 'root')
# theirs: fail
# rule: run-as-root
# customs: fail
