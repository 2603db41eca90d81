FROM alpine:3.19
ARG APP_USER
USER $APP_USER
# --- expect ---
# description: a user the build decides is run-as-root's to report, not a name
