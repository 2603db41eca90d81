FROM alpine:3.5
ARG IMAGE=alpine:3.12
FROM $IMAGE
CMD ["python", "/usr/src/app/app.py"]
# --- expect ---
# description: an ARG declared inside the first stage names the second stage's image
# source: Trivy DS001 (':latest' tag used)
# theirs: pass
# rule: latest-tag
# customs: error
# why: an ARG after the first FROM belongs to that stage; FROM lines see only ARGs declared before the first FROM, so the image name is empty and docker build fails
