FROM node:20.11.1-slim
ARG NPM_TOKEN
COPY . /app
# --- expect ---
# description: no RUN runs with the argument, so nothing records it
