FROM alpine:3.19 AS base
CMD echo from the base stage

FROM base
ENTRYPOINT ["/bin/app"]
# --- expect ---
# description: an ENTRYPOINT empties a CMD not set in its own stage
