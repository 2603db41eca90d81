FROM node:20.11.1
HEALTHCHECK CMD foobar
CMD ["node", "server.js"]
# --- expect ---
# description: a HEALTHCHECK command in shell form
# source: hadolint DL3025 (use JSON notation for CMD and ENTRYPOINT)
# theirs: fail
# rule: shell-form-entrypoint
# customs: pass
# why: a health check is not PID 1: the runtime starts it beside the app and waits for it, so no signal goes astray
