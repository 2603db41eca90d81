FROM node:20.11.1-slim
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc && npm ci && rm ~/.npmrc
# --- expect ---
# description: a RUN records every build argument in scope, with its value, in the image's history
# no-secret: the value comes from the build
# finding: 2:5 [leaked-secret] stage 1 (FROM node:20.11.1-slim) records build argument NPM_TOKEN in the image's history: the RUN at line 3 runs with it, and docker history shows its value: pass the credential as a BuildKit secret instead of a build argument: RUN --mount=type=secret,id=token,env=NPM_TOKEN ..., built with docker build --secret id=token,env=NPM_TOKEN; revoke the exposed credential
