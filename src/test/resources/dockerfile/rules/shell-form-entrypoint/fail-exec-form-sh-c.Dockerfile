FROM alpine:3.19
CMD ["sh", "-c", "node server.js"]
# --- expect ---
# description: exec form that starts a shell with -c
# finding: 2:6 [shell-form-entrypoint] stage 1 (FROM alpine:3.19) runs "sh -c node …" as PID 1 (CMD at line 2, run by whatever ENTRYPOINT the base image alpine:3.19 sets): sh -c does not forward SIGTERM to the script's processes, so they are killed after the grace period instead of shutting down cleanly: write CMD in exec form so the app is PID 1, e.g. CMD ["node", "server.js"]; or start the script with exec, or run an init such as tini first
