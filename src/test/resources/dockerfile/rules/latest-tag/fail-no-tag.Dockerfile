FROM node
CMD ["node", "server.js"]
# --- expect ---
# description: FROM without tag or digest pulls latest
# finding: 1:6 [latest-tag] stage 1 (FROM node) builds FROM node, which has no tag, so every build takes whatever "latest" points to then: pin a version tag, ideally with its digest: FROM node:<version>@sha256:<digest>
