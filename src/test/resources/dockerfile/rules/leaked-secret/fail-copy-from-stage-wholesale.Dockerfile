FROM node:20.11.1 AS deps
WORKDIR /app
COPY .npmrc package.json package-lock.json ./
RUN npm ci

FROM node:20.11.1-slim
COPY --from=deps /app /app
CMD ["node", "/app/server.js"]
# --- expect ---
# description: the shipping stage copies the whole /app of a stage that holds .npmrc
# no-secret: the file's content is not in the Dockerfile
# finding: 7:18 [leaked-secret] stage 2 (FROM node:20.11.1-slim) copies a package registry credentials file (.npmrc) from stage "deps" into the image (COPY --from at line 7 takes /app/.npmrc, which the COPY at line 3 put there): anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=npmrc,target=/app/.npmrc ... (docker build --secret id=npmrc,src=.npmrc), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
