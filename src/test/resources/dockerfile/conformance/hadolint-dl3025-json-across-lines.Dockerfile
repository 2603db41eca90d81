FROM alpine:3.19
CMD [ "/bin/sh", "-c", \
      "echo foo && \
       echo bar" \
    ]
# --- expect ---
# description: an exec-form CMD whose strings continue over lines
# source: hadolint DL3025 (use JSON notation for CMD and ENTRYPOINT)
# theirs: pass
# rule: shell-form-entrypoint
# customs: fail
# why: the notation is JSON, but the program it runs is sh -c: the shell is PID 1 and does not forward SIGTERM; hadolint checks only the notation
