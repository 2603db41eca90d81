FROM alpine:3.13
USER user1
USER root
# --- expect ---
# description: a user, then root
# source: Trivy DS002 (image user should not be 'root')
# theirs: fail
# rule: run-as-root
# customs: fail
