FROM node:20.11.1-slim
ARG NPM_TOKEN
COPY <<EOF /root/.npmrc
//registry.npmjs.org/:_authToken=${NPM_TOKEN}
EOF
# --- expect ---
# description: a here-document written to .npmrc puts the token into a layer
# no-secret: the value comes from the build
# finding: 3:6 [leaked-secret] stage 1 (FROM node:20.11.1-slim) copies a package registry credentials file (.npmrc) into the image (COPY at line 3): anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=npmrc,target=/root/.npmrc ... (docker build --secret id=npmrc,src=.npmrc), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
