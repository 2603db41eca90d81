ARG NODE_VERSION
FROM node:${NODE_VERSION:-20.11.1}-slim
# --- expect ---
# description: without --build-arg, docker build uses the default of the ${VAR:-default} form
