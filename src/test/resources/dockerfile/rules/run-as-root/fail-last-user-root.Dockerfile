FROM debian:12-slim
RUN useradd --uid 10001 app
USER app
RUN echo building
USER root
CMD ["/usr/local/bin/app"]
# --- expect ---
# description: the last USER switches back to root
# finding: 5:6 [run-as-root] stage 1 (FROM debian:12-slim) runs as root: its last USER is "root" (USER at line 5): end the stage with a numeric non-root USER (e.g. USER 10001), after the steps that need root
