FROM python:3.12-slim AS base
RUN useradd app
USER app

FROM base
COPY . /srv
CMD ["python", "/srv/main.py"]
# --- expect ---
# description: the named USER comes from the stage the shipping stage is built FROM
# finding: 3:6 [non-root-conflict] stage 2 (FROM base) runs as the user name "app" (USER at line 3, in stage "base"), which the kubelet cannot verify: a pod with runAsNonRoot: true and no runAsUser fails with CreateContainerConfigError: write the user as its numeric uid (USER 10001; id -u app in the image tells it), so runAsNonRoot can verify it
