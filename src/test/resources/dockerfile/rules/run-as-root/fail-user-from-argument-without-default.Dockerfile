FROM alpine:3.19
ARG UID
USER ${UID}
ENTRYPOINT ["/bin/app"]
# --- expect ---
# description: the user comes from a build argument without a default: the build decides, so the check says it cannot tell
# finding: 3:6 [run-as-root] stage 1 (FROM alpine:3.19) may run as root: USER ${UID} (USER at line 3) takes its value from build argument UID, which has no default, so a Dockerfile check cannot tell the user: give the argument a numeric non-root default (ARG UID=10001) or write the uid (USER 10001); customs check --build-arg NAME=value checks the value a build passes
