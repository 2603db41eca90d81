FROM debian:12-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
CMD /usr/local/bin/app --serve
# --- expect ---
# description: shell form runs with the SHELL in force
# finding: 3:5 [shell-form-entrypoint] stage 1 (FROM debian:12-slim) runs "/bin/bash -o pipefail …" as PID 1 (CMD in shell form at line 3, run by whatever ENTRYPOINT the base image debian:12-slim sets): bash -c does not forward SIGTERM to the script's processes, so they are killed after the grace period instead of shutting down cleanly: write CMD in exec form so the app is PID 1, e.g. CMD ["node", "server.js"]; or start the script with exec, or run an init such as tini first
