FROM node:20.11.1-slim
ENTRYPOINT ["/usr/bin/env"]
CMD ["yarn", "start"]
# --- expect ---
# description: env hands over to yarn, which runs the script through a shell
# finding: 3:6 [shell-form-entrypoint] stage 1 (FROM node:20.11.1-slim) runs "yarn start" as PID 1 (CMD at line 3, after env hands over with exec): yarn runs the script through a shell and does not forward SIGTERM to the app: start the app itself in exec form, e.g. CMD ["node", "server.js"], instead of a package-manager script
