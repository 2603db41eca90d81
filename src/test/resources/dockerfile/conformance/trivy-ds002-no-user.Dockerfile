FROM alpine:3.13
EXPOSE 22
# --- expect ---
# description: no USER at all
# source: Trivy DS002 (image user should not be 'root')
# theirs: fail
# rule: run-as-root
# customs: fail
