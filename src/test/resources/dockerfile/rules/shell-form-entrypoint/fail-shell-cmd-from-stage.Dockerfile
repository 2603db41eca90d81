FROM python:3.12-slim AS base
CMD python -m app

FROM base
COPY . /srv
# --- expect ---
# description: the shell-form CMD comes from the stage the shipping stage is built FROM
# finding: 2:5 [shell-form-entrypoint] stage 2 (FROM base) runs "/bin/sh -c python …" as PID 1 (CMD in shell form at line 2, in stage "base", run by whatever ENTRYPOINT the base image python:3.12-slim sets): sh -c does not forward SIGTERM to the script's processes, so they are killed after the grace period instead of shutting down cleanly: write CMD in exec form so the app is PID 1, e.g. CMD ["node", "server.js"]; or start the script with exec, or run an init such as tini first
