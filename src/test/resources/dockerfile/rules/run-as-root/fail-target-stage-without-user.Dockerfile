FROM node:20.11.1 AS test
COPY . /app
RUN npm test

FROM node:20.11.1-slim AS release
USER 10001
CMD ["node", "/app/server.js"]
# --- expect ---
# description: --target chooses the stage that ships; the test stage sets no USER
# target: test
# finding: 1:6 [run-as-root] stage "test" (FROM node:20.11.1) sets no USER, and the user of its base image node:20.11.1 is unknown to a Dockerfile check, so the image runs as root unless that base sets another user: set USER explicitly in the stage, to a numeric non-root uid (e.g. USER 10001), even when the base image sets one
