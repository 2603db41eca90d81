FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
# --- expect ---
# description: an image built FROM scratch has no user at all, so it runs as root
# finding: 6:6 [run-as-root] stage 2 (FROM scratch) runs as root: no stage of it sets USER, and an image built FROM scratch has no user: add a numeric non-root USER to the stage (e.g. USER 10001)
