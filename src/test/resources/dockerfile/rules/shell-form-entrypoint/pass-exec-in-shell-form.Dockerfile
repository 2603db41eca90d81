FROM node:20.11.1-slim
CMD exec node server.js
# --- expect ---
# description: a shell-form command that starts with exec replaces the shell
