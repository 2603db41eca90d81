FROM alpine:3.13
USER user1
USER root:root
# --- expect ---
# description: root with a group last
# source: Trivy DS002 (image user should not be 'root')
# theirs: fail
# rule: run-as-root
# customs: fail
