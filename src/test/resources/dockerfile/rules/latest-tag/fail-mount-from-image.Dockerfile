FROM alpine:3.19
RUN --mount=type=bind,from=ghcr.io/example/tools:latest,target=/tools /tools/check
# --- expect ---
# description: RUN --mount from an image pulls it too
# finding: 2:5 [latest-tag] stage 1 (FROM alpine:3.19) uses the image ghcr.io/example/tools:latest in RUN --mount from, whose "latest" tag moves, so two builds of the same commit may differ: pin a version tag, ideally with its digest: RUN --mount=...,from=ghcr.io/example/tools:<version>@sha256:<digest>
