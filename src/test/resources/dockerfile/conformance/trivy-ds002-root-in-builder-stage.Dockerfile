FROM alpine:3.13
USER root
FROM alpine:3.14
USER user1
# --- expect ---
# description: root in the first stage, a named user in the last
# source: Trivy DS002 (image user should not be 'root')
# theirs: pass
# rule: run-as-root
# customs: pass
