FROM alpine:3.19 AS base
USER 10001

FROM base
COPY app /app
# --- expect ---
# description: USER set in the stage the shipping stage is built FROM
