FROM node:20.11.1-slim
USER node
CMD ["node", "server.js"]
# --- expect ---
# description: a named user is not root (non-root-conflict has its own say about names)
