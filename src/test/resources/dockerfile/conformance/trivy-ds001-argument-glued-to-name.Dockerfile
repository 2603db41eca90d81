ARG TAG
FROM alpine$TAG
# --- expect ---
# description: a global ARG without a default glued to the image name
# source: Trivy DS001 (':latest' tag used)
# theirs: fail
# rule: latest-tag
# customs: pass
# why: the build decides TAG, and it may carry the tag (--build-arg TAG=:3.19); Customs reports only what the Dockerfile decides
