FROM node:latest AS playground
RUN echo only built on request

FROM node:20.11.1-slim AS app
CMD ["node", "server.js"]
# --- expect ---
# description: a stage the target does not need is not built
