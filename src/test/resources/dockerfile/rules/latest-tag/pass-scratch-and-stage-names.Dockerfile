FROM golang:1.22 AS build
RUN go build -o /out/app .
FROM build AS test
RUN go test ./...
FROM scratch
COPY --from=build /out/app /app
COPY --from=0 /etc/ssl/certs /etc/ssl/certs
# --- expect ---
# description: scratch and earlier stage names (and indexes) are not images
