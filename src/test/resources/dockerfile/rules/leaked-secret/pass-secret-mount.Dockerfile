FROM node:20.11.1-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci --omit=dev
# --- expect ---
# description: the BuildKit secret mount keeps the credential out of the image
