FROM alpine:3.19
USER 10001:app
# --- expect ---
# description: the user part is numeric; a named group does not matter to runAsNonRoot
