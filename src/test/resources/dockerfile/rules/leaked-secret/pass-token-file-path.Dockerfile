FROM alpine:3.19
ENV NPM_TOKEN_FILE=/run/secrets/npm_token GITHUB_TOKEN=""
# --- expect ---
# description: a path to a secret file, and an empty value, are not credentials
