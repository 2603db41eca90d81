FROM debian AS base
USER root
RUN something
FROM scratch
USER foo
RUN something else
# --- expect ---
# description: a builder stage ends as root; the last stage, FROM scratch, ends as foo
# source: hadolint DL3002 (last USER should not be root)
# theirs: fail
# rule: run-as-root
# customs: pass
# why: Customs judges the stage that ships: the builder stage's user never runs in the image, and the last stage sets a non-root USER
