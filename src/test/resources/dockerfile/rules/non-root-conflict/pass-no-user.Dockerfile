FROM alpine:3.19
CMD ["/bin/app"]
# --- expect ---
# description: no USER: run-as-root reports it, not this rule
