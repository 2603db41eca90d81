FROM node:20.11.1-slim
ARG NPM_TOKEN
ENV NPM_TOKEN=$NPM_TOKEN
# --- expect ---
# description: ENV copies the build argument into the image's Env
# no-secret: the value comes from the build
# finding: 3:5 [leaked-secret] stage 1 (FROM node:20.11.1-slim) puts NPM_TOKEN into the image's Env (ENV at line 3, from build argument NPM_TOKEN, which has no default): anyone who can pull the image can read it (docker inspect): keep credentials out of ENV: read it at build time from a secret mount (RUN --mount=type=secret,id=token,env=NPM_TOKEN ...) and give it to the container at run time from a Kubernetes Secret; revoke the exposed credential
