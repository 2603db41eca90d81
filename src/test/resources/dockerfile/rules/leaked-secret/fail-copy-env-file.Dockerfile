FROM python:3.12-slim
COPY config/.env.production /srv/.env
# --- expect ---
# description: an environment file copied in
# no-secret: the file's content is not in the Dockerfile
# finding: 2:6 [leaked-secret] stage 1 (FROM python:3.12-slim) copies an environment file (.env) into the image (COPY at line 2): anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=envproduction,target=/srv/.env ... (docker build --secret id=envproduction,src=.env.production), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
