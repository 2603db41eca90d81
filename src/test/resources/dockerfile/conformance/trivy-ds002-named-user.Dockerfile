FROM alpine:3.13
USER user1
# --- expect ---
# description: a named user
# source: Trivy DS002 (image user should not be 'root')
# theirs: pass
# rule: run-as-root
# customs: pass
