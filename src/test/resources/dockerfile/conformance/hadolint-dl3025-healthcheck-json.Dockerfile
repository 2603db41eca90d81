FROM node:20.11.1
HEALTHCHECK CMD ["foobar"]
CMD ["node", "server.js"]
# --- expect ---
# description: a HEALTHCHECK command in exec form
# source: hadolint DL3025 (use JSON notation for CMD and ENTRYPOINT)
# theirs: pass
# rule: shell-form-entrypoint
# customs: pass
