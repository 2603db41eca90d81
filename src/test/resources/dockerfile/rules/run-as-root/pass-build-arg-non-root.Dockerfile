FROM alpine:3.19
ARG UID
USER $UID
# --- expect ---
# description: the build passes the user, and customs check was told it with --build-arg
# build-arg: UID=10001
