FROM node:20.11.1-slim
ARG NPM_TOKEN=<token>
ENV GITHUB_TOKEN=changeme API_KEY=your-api-key-here
RUN npm ci
USER 10001
# --- expect ---
# description: placeholders under credential names are not credentials, as at admission (changeme, <token>, your-...-here)
