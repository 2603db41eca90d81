FROM alpine:3.19
USER 1000:1000
# --- expect ---
# description: a numeric user
