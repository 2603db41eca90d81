FROM node as foo
ENTRYPOINT something
# --- expect ---
# description: ENTRYPOINT in shell form
# source: hadolint DL3025 (use JSON notation for CMD and ENTRYPOINT)
# theirs: fail
# rule: shell-form-entrypoint
# customs: fail
