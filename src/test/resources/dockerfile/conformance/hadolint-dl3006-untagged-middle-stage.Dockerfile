FROM golang:1.9.3-alpine3.7 AS build
RUN foo
FROM node as unit-test
RUN bar
FROM alpine:3.7
RUN baz
# --- expect ---
# description: a middle stage FROM an untagged image that the last stage does not need
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: fail
# rule: latest-tag
# customs: pass
# why: building the last stage does not build unit-test (BuildKit builds only the stages the target needs), so node is never pulled; with --target unit-test Customs reports it
