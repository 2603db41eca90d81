FROM alpine:3.19
USER root
# --- expect ---
# description: root: run-as-root reports it, not this rule
