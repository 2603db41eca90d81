FROM node:20.11.1 AS deps
WORKDIR /app
COPY .npmrc package.json package-lock.json ./
RUN npm ci && rm -f .npmrc

FROM node:20.11.1-slim
COPY --from=deps /app /app
# --- expect ---
# description: the builder stage deleted .npmrc before the shipping stage copied /app
