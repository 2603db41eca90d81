FROM node:20.11.1 AS build
WORKDIR /app
COPY .npmrc package.json package-lock.json ./
ARG NPM_TOKEN
RUN npm ci && npm run build

FROM nginx:1.27
COPY --from=build /app/dist /usr/share/nginx/html
# --- expect ---
# description: the shipping stage copies only the build output; the builder's .npmrc and argument stay behind
