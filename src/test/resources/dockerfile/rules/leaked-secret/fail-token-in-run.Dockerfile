FROM node:20.11.1-slim
RUN echo "//registry.npmjs.org/:_authToken=npm_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" > ~/.npmrc && npm ci
# --- expect ---
# description: a literal npm token in a RUN command
# secret: npm_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8
# finding: 2:5 [leaked-secret] stage 1 (FROM node:20.11.1-slim) writes an npm registry _authToken into the image's history (RUN at line 2): docker history shows it to anyone who can pull the image: remove it from the Dockerfile and pass it with a BuildKit secret mount (RUN --mount=type=secret,id=token ...); revoke the exposed credential
