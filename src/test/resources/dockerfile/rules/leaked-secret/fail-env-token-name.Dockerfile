FROM node:20.11.1-slim
ENV NPM_TOKEN=s3cr3t-npm-value
RUN npm ci
# --- expect ---
# description: a credential name with a literal value in ENV
# secret: s3cr3t-npm-value
# finding: 2:5 [leaked-secret] stage 1 (FROM node:20.11.1-slim) puts NPM_TOKEN into the image's Env (ENV at line 2): anyone who can pull the image can read it (docker inspect): keep credentials out of ENV: read it at build time from a secret mount (RUN --mount=type=secret,id=token,env=NPM_TOKEN ...) and give it to the container at run time from a Kubernetes Secret; revoke the exposed credential
