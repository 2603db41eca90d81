FROM scratch
USER 0:0
# --- expect ---
# description: uid 0 with gid 0
# source: hadolint DL3002 (last USER should not be root)
# theirs: fail
# rule: run-as-root
# customs: fail
