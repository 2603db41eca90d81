ARG BASE=alpine:3.19
FROM ${BASE}
ARG UID=10001
USER ${UID}:${UID}
# --- expect ---
# description: the user comes from an argument whose default is non-root
