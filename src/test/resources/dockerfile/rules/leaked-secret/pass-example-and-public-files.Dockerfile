FROM alpine:3.19
COPY .env.example /app/.env.example
COPY id_ed25519.pub /root/.ssh/authorized_keys
COPY ca.pem /usr/local/share/ca-certificates/ca.crt
# --- expect ---
# description: an example environment file, a public key and a CA certificate hold no credentials
