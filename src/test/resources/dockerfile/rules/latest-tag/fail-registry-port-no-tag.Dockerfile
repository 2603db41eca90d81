FROM registry.example.com:5000/team/app
# --- expect ---
# description: a registry port is not a tag
# finding: 1:6 [latest-tag] stage 1 (FROM registry.example.com:5000/team/app) builds FROM registry.example.com:5000/team/app, which has no tag, so every build takes whatever "latest" points to then: pin a version tag, ideally with its digest: FROM registry.example.com:5000/team/app:<version>@sha256:<digest>
