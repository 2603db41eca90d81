FROM golang:1.22 AS build
CMD go test ./...

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
# --- expect ---
# description: a shell form in a stage that does not ship does not matter
