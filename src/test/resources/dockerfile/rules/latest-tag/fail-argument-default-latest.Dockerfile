ARG NODE_TAG=latest
FROM node:${NODE_TAG}
# --- expect ---
# description: the tag comes from an ARG default, which is latest
# finding: 2:6 [latest-tag] stage 1 (FROM node:${NODE_TAG}) builds FROM node:${NODE_TAG} (= node:latest), whose "latest" tag moves, so two builds of the same commit may differ: pin a version tag, ideally with its digest: FROM node:<version>@sha256:<digest>
