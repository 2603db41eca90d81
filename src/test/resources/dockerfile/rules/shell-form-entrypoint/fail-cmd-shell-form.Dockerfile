FROM node:20.11.1-slim
WORKDIR /app
COPY . .
CMD node server.js
# --- expect ---
# description: CMD in shell form: /bin/sh -c is PID 1
# finding: 4:5 [shell-form-entrypoint] stage 1 (FROM node:20.11.1-slim) runs "/bin/sh -c node …" as PID 1 (CMD in shell form at line 4, run by whatever ENTRYPOINT the base image node:20.11.1-slim sets): sh -c does not forward SIGTERM to the script's processes, so they are killed after the grace period instead of shutting down cleanly: write CMD in exec form so the app is PID 1, e.g. CMD ["node", "server.js"]; or start the script with exec, or run an init such as tini first
