ARG BASE=node
FROM $BASE AS app
# --- expect ---
# description: the whole image comes from an ARG default without a tag
# finding: 2:6 [latest-tag] stage "app" (FROM $BASE) builds FROM $BASE (= node), which has no tag, so every build takes whatever "latest" points to then: pin a version tag, ideally with its digest: FROM node:<version>@sha256:<digest>
