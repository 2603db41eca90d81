FROM debian:12-slim
USER root
RUN apt-get update && apt-get install -y --no-install-recommends curl
USER 10001
# --- expect ---
# description: switching to root for installs and back is fine
