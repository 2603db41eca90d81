ARG TAG=20.11.1
FROM node:$TAG
# --- expect ---
# description: --build-arg overrides the default with latest
# build-arg: TAG=latest
# finding: 2:6 [latest-tag] stage 1 (FROM node:$TAG) builds FROM node:$TAG (= node:latest), whose "latest" tag moves, so two builds of the same commit may differ: pin a version tag, ideally with its digest: FROM node:<version>@sha256:<digest>
