FROM alpine:3.13
USER root
FROM alpine:3.14
COPY blah.zip /blah.zip
# --- expect ---
# description: root in the first stage, no USER in the last
# source: Trivy DS002 (image user should not be 'root')
# theirs: fail
# rule: run-as-root
# customs: fail
