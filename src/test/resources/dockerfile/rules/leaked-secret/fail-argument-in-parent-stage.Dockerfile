FROM node:20.11.1-slim AS base
ARG GITHUB_TOKEN

FROM base
RUN npm ci
# --- expect ---
# description: BuildKit carries build arguments through FROM <stage>: the RUN in the child records it
# no-secret: the value comes from the build
# finding: 2:5 [leaked-secret] stage 2 (FROM base) records build argument GITHUB_TOKEN in the image's history: the RUN at line 5 runs with it, and docker history shows its value: pass the credential as a BuildKit secret instead of a build argument: RUN --mount=type=secret,id=token,env=GITHUB_TOKEN ..., built with docker build --secret id=token,env=GITHUB_TOKEN; revoke the exposed credential
