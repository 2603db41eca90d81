FROM scratch as build
ENTRYPOINT ["foo", "bar"]
# --- expect ---
# description: ENTRYPOINT in exec form
# source: hadolint DL3025 (use JSON notation for CMD and ENTRYPOINT)
# theirs: pass
# rule: shell-form-entrypoint
# customs: pass
