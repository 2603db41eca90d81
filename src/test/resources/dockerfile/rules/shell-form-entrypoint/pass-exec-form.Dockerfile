FROM node:20.11.1-slim
CMD ["node", "server.js"]
# --- expect ---
# description: exec form: node is PID 1 (behind the base image's entrypoint)
