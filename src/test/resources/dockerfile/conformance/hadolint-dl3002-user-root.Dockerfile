FROM scratch
USER root
# --- expect ---
# description: the only stage ends with USER root
# source: hadolint DL3002 (last USER should not be root)
# theirs: fail
# rule: run-as-root
# customs: fail
