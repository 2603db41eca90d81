FROM hashicorp/terraform:1.7.5
COPY .terraformrc /root/.terraformrc
COPY vault-token /root/.vault-token
COPY hosts.yml /root/.config/gh/hosts.yml
COPY cluster.kubeconfig /etc/app/
USER 10001
# --- expect ---
# description: credential files the image's layer scan recognises by the same names are reported at their COPY
# no-secret: the files' contents are not in the Dockerfile
# finding: 2:6 [leaked-secret] stage 1 (FROM hashicorp/terraform:1.7.5) copies a credentials file (.terraformrc) into the image (COPY at line 2): anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=terraformrc,target=/root/.terraformrc ... (docker build --secret id=terraformrc,src=.terraformrc), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
# finding: 3:6 [leaked-secret] stage 1 (FROM hashicorp/terraform:1.7.5) copies a Vault token (.vault-token) into the image (COPY at line 3): anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=vault-token,target=/root/.vault-token ... (docker build --secret id=vault-token,src=vault-token), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
# finding: 4:6 [leaked-secret] stage 1 (FROM hashicorp/terraform:1.7.5) copies a credentials file (gh/hosts.yml) into the image (COPY at line 4): anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=hostsyml,target=/root/.config/gh/hosts.yml ... (docker build --secret id=hostsyml,src=hosts.yml), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
# finding: 5:6 [leaked-secret] stage 1 (FROM hashicorp/terraform:1.7.5) copies a kubeconfig (cluster.kubeconfig) into the image (COPY at line 5): anyone who can pull the image can read it: do not copy credentials into an image: mount them only for the step that needs them, RUN --mount=type=secret,id=clusterkubeconfig,target=/etc/app/cluster.kubeconfig ... (docker build --secret id=clusterkubeconfig,src=cluster.kubeconfig), or give them to the container at run time from a Kubernetes Secret; list the file in .dockerignore and revoke what was exposed
