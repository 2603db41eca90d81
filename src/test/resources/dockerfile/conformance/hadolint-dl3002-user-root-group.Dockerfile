FROM scratch
USER root:root
# --- expect ---
# description: root with a group
# source: hadolint DL3002 (last USER should not be root)
# theirs: fail
# rule: run-as-root
# customs: fail
