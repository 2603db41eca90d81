ARG NODE_VERSION
FROM node:${NODE_VERSION}-slim
# --- expect ---
# description: the tag comes from a build argument without a default: the build decides it
