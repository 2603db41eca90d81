#!/usr/bin/env bash
# Builds, from Go modules at the versions pinned in versions.env, the control plane the end-to-end tests run against:
# kube-apiserver, kube-controller-manager and kubectl (k8s.io/kubernetes), etcd (go.etcd.io/etcd/server/v3) and helm
# (helm.sh/helm/v3). Each component is cached under $CUSTOMS_E2E_CACHE (default ~/.cache/customs-e2e) in a directory
# named after its version, so only a machine that has never built that version pays for the build.
#
# Usage: src/test/e2e/build.sh        prints the directory of each component on stdout, progress on stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
# Bump when the way a component is built changes, so caches made the old way are not reused.
RECIPE=1
cache="${CUSTOMS_E2E_CACHE:-$HOME/.cache/customs-e2e}"
mkdir -p "$cache"

command -v go >/dev/null 2>&1 || { echo "build.sh: no Go toolchain on PATH (Go 1.26 or later is needed)" >&2; exit 2; }
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
log() { echo "build.sh: $*" >&2; }

# $1 component dir; the rest: the binaries it must hold. True when all are there from a finished build.
built() {
  local dir="$1"; shift
  [ -f "$dir/.complete" ] || return 1
  for b in "$@"; do [ -x "$dir/$b" ] || return 1; done
}

# Scratch Go modules in which the components are built; removed when the script ends.
scratch_root="$(mktemp -d "$cache/.build.XXXXXX")"
trap 'rm -rf "$scratch_root"' EXIT
scratch() { mktemp -d "$scratch_root/XXXXXX"; }

build_kubernetes() {
  local out="$cache/kubernetes-$KUBERNETES_VERSION-r$RECIPE"
  if built "$out" kube-apiserver kube-controller-manager kubectl; then echo "$out"; return; fi
  local start=$SECONDS work staging minor
  log "building kube-apiserver, kube-controller-manager and kubectl $KUBERNETES_VERSION (once per machine)"
  work="$(scratch)"
  # k8s.io/kubernetes requires its staging modules (k8s.io/api, k8s.io/client-go, ...) at v0.0.0 and replaces them
  # with folders of its own repository; they are published on their own as v0.<minor>.<patch>, so point each there.
  staging="v0${KUBERNETES_VERSION#v1}"
  (
    cd "$work"
    go mod init customs.dev/e2e-kubernetes >/dev/null 2>&1
    gomod="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
    [ -f "$gomod" ] || { log "cannot download k8s.io/kubernetes@$KUBERNETES_VERSION"; exit 1; }
    sed -n 's/^[[:space:]]*\(k8s\.io\/[A-Za-z0-9._-]*\) v0\.0\.0$/\1/p' "$gomod" | sort -u | while read -r m; do
      go mod edit -replace "$m=$m@$staging"
    done
    go mod edit -require "k8s.io/kubernetes@$KUBERNETES_VERSION"
    cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    go mod tidy -e >/dev/null 2>&1 || true
    minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
    # What hack/lib/version.sh stamps into a release build: the version the server reports and kubectl shows.
    ldflags="-s -w"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags="$ldflags -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
      ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    mkdir -p bin
    go build -trimpath -tags tools -ldflags "$ldflags" -o bin/ \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
    rm -rf "$out"; mkdir -p "$out"; mv bin/* "$out/"
  )
  touch "$out/.complete"
  log "kubernetes $KUBERNETES_VERSION built in $((SECONDS - start)) s"
  echo "$out"
}

build_etcd() {
  local out="$cache/etcd-$ETCD_VERSION-r$RECIPE"
  if built "$out" etcd; then echo "$out"; return; fi
  local start=$SECONDS work
  log "building etcd $ETCD_VERSION (once per machine)"
  work="$(scratch)"
  (
    cd "$work"
    go mod init customs.dev/e2e-etcd >/dev/null 2>&1
    # The server module has no main package of its own; etcdmain is what the etcd binary runs.
    cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>&1
    go mod tidy >/dev/null 2>&1
    go build -trimpath -ldflags "-s -w" -o etcd .
    rm -rf "$out"; mkdir -p "$out"; mv etcd "$out/"
  )
  touch "$out/.complete"
  log "etcd $ETCD_VERSION built in $((SECONDS - start)) s"
  echo "$out"
}

build_helm() {
  local out="$cache/helm-$HELM_VERSION-r$RECIPE"
  if built "$out" helm; then echo "$out"; return; fi
  local start=$SECONDS work
  log "building helm $HELM_VERSION (once per machine)"
  work="$(scratch)"
  (
    cd "$work"
    go mod init customs.dev/e2e-helm >/dev/null 2>&1
    go get "helm.sh/helm/v3@$HELM_VERSION" >/dev/null 2>&1
    cat > tools.go <<'GO'
//go:build tools

package tools

import _ "helm.sh/helm/v3/cmd/helm"
GO
    go mod tidy -e >/dev/null 2>&1 || true
    go build -trimpath -tags tools -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
      -o helm helm.sh/helm/v3/cmd/helm
    rm -rf "$out"; mkdir -p "$out"; mv helm "$out/"
  )
  touch "$out/.complete"
  log "helm $HELM_VERSION built in $((SECONDS - start)) s"
  echo "$out"
}

total=$SECONDS
echo "KUBERNETES_BIN=$(build_kubernetes)"
echo "ETCD_BIN=$(build_etcd)"
echo "HELM_BIN=$(build_helm)"
log "control plane ready ($((SECONDS - total)) s)"
