FROM alpine:3.19
USER app:1000
# --- expect ---
# description: the user part decides, and it is a name
# finding: 2:6 [non-root-conflict] stage 1 (FROM alpine:3.19) runs as the user name "app:1000" (USER at line 2), which the kubelet cannot verify: a pod with runAsNonRoot: true and no runAsUser fails with CreateContainerConfigError: write the user as its numeric uid (USER 10001; id -u app in the image tells it), so runAsNonRoot can verify it
