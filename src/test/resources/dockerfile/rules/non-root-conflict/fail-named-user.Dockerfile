FROM node:20.11.1-slim
WORKDIR /app
COPY --chown=node:node . .
USER node
CMD ["node", "server.js"]
# --- expect ---
# description: USER node is not numeric: runAsNonRoot cannot verify it
# finding: 4:6 [non-root-conflict] stage 1 (FROM node:20.11.1-slim) runs as the user name "node" (USER at line 4), which the kubelet cannot verify: a pod with runAsNonRoot: true and no runAsUser fails with CreateContainerConfigError: write the user as its numeric uid (USER 10001; id -u node in the image tells it), so runAsNonRoot can verify it
