FROM debian AS base
USER root
RUN something
USER foo
FROM scratch
RUN something else
# --- expect ---
# description: the last stage, FROM scratch, sets no USER
# source: hadolint DL3002 (last USER should not be root)
# theirs: pass
# rule: run-as-root
# customs: fail
# why: an image built FROM scratch without USER has no user, so it runs as root; hadolint reports only an explicit root USER
