FROM golang:latest AS build
RUN go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
# --- expect ---
# description: a builder stage is built too: its latest tag makes the build unreproducible
# finding: 1:6 [latest-tag] stage "build" (FROM golang:latest) builds FROM golang:latest, whose "latest" tag moves, so two builds of the same commit may differ: pin a version tag, ideally with its digest: FROM golang:<version>@sha256:<digest>
