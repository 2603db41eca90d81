FROM node:20.11.1-slim
WORKDIR /app
COPY .npmrc package.json package-lock.json ./
RUN npm ci && rm -f .npmrc
# --- expect ---
# description: the .npmrc is in the layer COPY made, whatever a later RUN deletes
# no-secret: the file's content is not in the Dockerfile
# finding: 3:6 [leaked-secret] stage 1 (FROM node:20.11.1-slim) copies a package registry credentials file (.npmrc) into the image (COPY at line 3); the RUN at line 4 that deletes it does not remove it from the layer COPY made: anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=npmrc,target=/app/.npmrc ... (docker build --secret id=npmrc,src=.npmrc), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
