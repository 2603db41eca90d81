FROM nginx:1.27
COPY site/ /usr/share/nginx/html/
# --- expect ---
# description: the Dockerfile sets neither ENTRYPOINT nor CMD: the base image decides
