FROM alpine:3.13
USER
# --- expect ---
# description: USER without an argument
# source: Trivy DS002 (image user should not be 'root')
# theirs: fail
# rule: run-as-root
# customs: error
# why: USER needs exactly one argument: docker build refuses the file, and Customs reports the error
