FROM amazon/aws-cli:2.15.0
RUN --mount=type=secret,id=aws-key-id,env=AWS_ACCESS_KEY_ID --mount=type=secret,id=aws-secret-key,env=AWS_SECRET_ACCESS_KEY aws configure set aws_access_key_id $(cat /run/secrets/aws-key-id) && aws configure set aws_secret_access_key $(cat /run/secrets/aws-secret-key)
# --- expect ---
# description: credentials through secret mounts
# source: Trivy DS031 (secrets passed via build-args or envs or copied secret files)
# theirs: pass
# rule: leaked-secret
# customs: pass
