FROM scratch
USER root
RUN something
USER foo
# --- expect ---
# description: root for a step, then a named user again
# source: hadolint DL3002 (last USER should not be root)
# theirs: pass
# rule: run-as-root
# customs: pass
