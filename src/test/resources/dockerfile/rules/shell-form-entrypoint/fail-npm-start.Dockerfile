FROM node:20.11.1-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
CMD ["npm", "start"]
# --- expect ---
# description: npm start as the command: the base image's entrypoint hands over to it, and npm does not forward SIGTERM
# finding: 5:6 [shell-form-entrypoint] stage 1 (FROM node:20.11.1-slim) runs "npm start" as PID 1 (CMD at line 5, run by whatever ENTRYPOINT the base image node:20.11.1-slim sets): npm runs the script through a shell and does not forward SIGTERM to the app: start the app itself in exec form, e.g. CMD ["node", "server.js"], instead of a package-manager script
