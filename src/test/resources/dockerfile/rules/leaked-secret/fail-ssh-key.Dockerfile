FROM alpine:3.19
COPY deploy_key /root/.ssh/id_ed25519
RUN git clone git@github.com:example/private.git /src
# --- expect ---
# description: a private key copied into ~/.ssh
# no-secret: the key is not in the Dockerfile
# finding: 2:6 [leaked-secret] stage 1 (FROM alpine:3.19) copies an SSH private key (id_ed25519) into the image (COPY at line 2): anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=deploy_key,target=/root/.ssh/id_ed25519 ... (docker build --secret id=deploy_key,src=deploy_key), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
