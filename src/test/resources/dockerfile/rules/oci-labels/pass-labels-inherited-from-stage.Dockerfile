FROM alpine:3.19 AS base
LABEL org.opencontainers.image.title=shop org.opencontainers.image.source=https://example.com/shop.git

FROM base
LABEL org.opencontainers.image.version 1.4.2
LABEL org.opencontainers.image.revision=0123abc
# --- expect ---
# description: labels of the stage the shipping stage is built FROM carry over; the legacy LABEL key value form counts
