FROM debian:12-slim AS base
USER root
RUN apt-get update

FROM base
RUN echo more
# --- expect ---
# description: the shipping stage is built FROM a stage whose last USER is root, and sets none itself
# finding: 2:6 [run-as-root] stage 2 (FROM base) runs as root: its last USER is "root" (USER at line 2, in stage "base"): end the stage with a numeric non-root USER (e.g. USER 10001), after the steps that need root
