FROM scratch
USER foo
# --- expect ---
# description: the only stage ends with a named user
# source: hadolint DL3002 (last USER should not be root)
# theirs: pass
# rule: run-as-root
# customs: pass
