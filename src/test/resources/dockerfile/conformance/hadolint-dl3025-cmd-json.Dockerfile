FROM scratch as build
CMD ["foo", "bar"]
CMD [ "foo", "bar" ]
# --- expect ---
# description: CMD in exec form, with and without spaces inside the brackets
# source: hadolint DL3025 (use JSON notation for CMD and ENTRYPOINT)
# theirs: pass
# rule: shell-form-entrypoint
# customs: pass
