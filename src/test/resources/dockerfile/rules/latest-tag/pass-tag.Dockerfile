FROM node:20.11.1-slim
# --- expect ---
# description: a version tag
