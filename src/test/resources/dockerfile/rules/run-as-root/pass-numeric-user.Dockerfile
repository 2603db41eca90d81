FROM alpine:3.19
RUN adduser -D -u 10001 app
USER 10001
ENTRYPOINT ["/bin/app"]
# --- expect ---
# description: a numeric non-root USER
