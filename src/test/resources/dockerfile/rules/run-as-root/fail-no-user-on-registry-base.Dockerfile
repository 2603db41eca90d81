FROM node:20.11.1-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
CMD ["node", "server.js"]
# --- expect ---
# description: no USER anywhere and a registry base: what the base sets is unknown to a Dockerfile check, so the Dockerfile must say
# finding: 1:6 [run-as-root] stage 1 (FROM node:20.11.1-slim) sets no USER, and the user of its base image node:20.11.1-slim is unknown to a Dockerfile check, so the image runs as root unless that base sets another user: set USER explicitly in the stage, to a numeric non-root uid (e.g. USER 10001), even when the base image sets one
