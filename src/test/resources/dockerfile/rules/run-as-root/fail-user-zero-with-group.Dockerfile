FROM alpine:3.19
USER 0:0
ENTRYPOINT ["/bin/app"]
# --- expect ---
# description: uid 0 with a group is root
# finding: 2:6 [run-as-root] stage 1 (FROM alpine:3.19) runs as root: its last USER is "0:0" (USER at line 2): end the stage with a numeric non-root USER (e.g. USER 10001), after the steps that need root
