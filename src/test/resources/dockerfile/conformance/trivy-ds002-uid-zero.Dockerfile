FROM alpine:3.13
USER user1
USER 0
# --- expect ---
# description: uid 0 last
# source: Trivy DS002 (image user should not be 'root')
# theirs: fail
# rule: run-as-root
# customs: fail
