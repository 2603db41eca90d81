FROM nginx:1.27
COPY --from=busybox /bin/busybox /bin/busybox
# --- expect ---
# description: COPY --from an image pulls it: untagged, it is latest
# finding: 2:6 [latest-tag] stage 1 (FROM nginx:1.27) uses the image busybox in COPY --from, which has no tag, so every build takes whatever "latest" points to then: pin a version tag, ideally with its digest: COPY --from=busybox:<version>@sha256:<digest> ...
