FROM golang:1.22 AS build
USER root
RUN go build -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
USER 65532:65532
ENTRYPOINT ["/app"]
# --- expect ---
# description: root in a stage that does not ship does not matter
