FROM alpine:3.19
COPY start.sh /start.sh
ENTRYPOINT /start.sh --port 8080
CMD ["--verbose"]
# --- expect ---
# description: ENTRYPOINT in shell form ignores CMD and runs under sh -c
# finding: 3:12 [shell-form-entrypoint] stage 1 (FROM alpine:3.19) runs "/bin/sh -c /start.sh … …" as PID 1 (ENTRYPOINT in shell form at line 3): sh -c does not forward SIGTERM to the script's processes, so they are killed after the grace period instead of shutting down cleanly: write ENTRYPOINT in exec form so the app is PID 1, e.g. CMD ["node", "server.js"]; or start the script with exec, or run an init such as tini first
