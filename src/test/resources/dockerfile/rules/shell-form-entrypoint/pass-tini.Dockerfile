FROM node:20.11.1-slim
RUN apt-get update && apt-get install -y --no-install-recommends tini
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "server.js"]
# --- expect ---
# description: an init as PID 1 forwards signals
