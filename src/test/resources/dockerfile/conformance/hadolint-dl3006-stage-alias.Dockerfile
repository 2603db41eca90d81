FROM golang:1.9.3-alpine3.7 AS build
RUN foo
FROM build as unit-test
RUN bar
FROM alpine:3.7
RUN baz
# --- expect ---
# description: an earlier stage's name, untagged, is not an image
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: pass
# rule: latest-tag
# customs: pass
