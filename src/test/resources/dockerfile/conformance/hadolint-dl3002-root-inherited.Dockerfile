FROM debian AS base
USER root
RUN something
FROM base
RUN something else
# --- expect ---
# description: the last stage is built FROM a stage that ends as root
# source: hadolint DL3002 (last USER should not be root)
# theirs: fail
# rule: run-as-root
# customs: fail
