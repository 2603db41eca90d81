FROM alpine:3.19
ARG UID=10001
USER $UID
# --- expect ---
# description: a --build-arg value overrides the default, and this one is root
# build-arg: UID=0
# finding: 3:6 [run-as-root] stage 1 (FROM alpine:3.19) runs as root: its last USER is "0" (USER at line 3): end the stage with a numeric non-root USER (e.g. USER 10001), after the steps that need root
