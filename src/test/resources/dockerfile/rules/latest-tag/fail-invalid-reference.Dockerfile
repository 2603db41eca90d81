FROM Node:20
# --- expect ---
# description: an upper-case repository name is not a valid reference
# finding: 1:6 [latest-tag] stage 1 (FROM Node:20) builds FROM Node:20, which is not a valid image reference: repository names must be lowercase ("Node"): write the image as [registry/]repository:tag[@sha256:digest] in lowercase, e.g. node:20.11.1-slim
