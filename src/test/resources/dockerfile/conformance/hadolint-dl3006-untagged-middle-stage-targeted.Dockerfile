FROM golang:1.9.3-alpine3.7 AS build
RUN foo
FROM node as unit-test
RUN bar
FROM alpine:3.7
RUN baz
# --- expect ---
# description: the same file built with --target unit-test
# source: hadolint DL3006 (always tag the version of an image explicitly)
# theirs: fail
# rule: latest-tag
# customs: fail
# target: unit-test
