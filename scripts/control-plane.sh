#!/usr/bin/env bash
# Builds, once, the real control plane that the real-API-server tests run: kube-apiserver,
# kube-controller-manager and kubectl from k8s.io/kubernetes, helm from helm.sh/helm/v4, and etcd
# from go.etcd.io/etcd/server/v3, all from their own Go modules at the versions pinned in
# scripts/control-plane/go.mod and go.sum. Nothing is downloaded but Go modules.
#
#   bash scripts/control-plane.sh            build what is missing, verify, print the directory
#   bash scripts/control-plane.sh --dir      only print the directory (builds nothing)
#
# The binaries land where fabric8's kube-api-test looks for them:
#   $REGISTRAR_KUBE_API_TEST_DIR/k8s/<kubernetes version>-linux-amd64/{etcd,kube-apiserver,kubectl,...}
# (default ${XDG_CACHE_HOME:-~/.cache}/registrar/kubeapitest). A stamp file holds a hash of the
# pinned module files: when it matches, nothing is rebuilt. A cold build takes about 8 minutes
# on 2 cores (870 MB of modules, 4 GB of Go build cache); progress is printed every 30 s.
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/control-plane"

K8S_VERSION=$(awk '$1 == "k8s.io/kubernetes" { sub(/^v/, "", $2); print $2 }' go.mod)
HELM_VERSION=$(awk '$1 == "helm.sh/helm/v4" { print $2 }' go.mod)
ETCD_VERSION=$(grep -Eo 'go.etcd.io/etcd/server/v3 v[0-9.]+' go.mod | head -1 | cut -d' ' -f2)
ROOT=${REGISTRAR_KUBE_API_TEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/registrar/kubeapitest}
DIR="$ROOT/k8s/$K8S_VERSION-linux-amd64"
BINARIES=(kube-apiserver kube-controller-manager kubectl helm etcd)

if [ "${1:-}" = "--dir" ]; then
  echo "$DIR"
  exit 0
fi

stamp=$(cat go.mod go.sum etcd/main.go "$self" | sha256sum | cut -c1-16)
if [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$stamp" ]; then
  echo "control-plane: Kubernetes v$K8S_VERSION, helm $HELM_VERSION, etcd $ETCD_VERSION cached in $DIR"
  exit 0
fi

# Kubernetes v1.37 needs Go 1.26: the machine's own Go if it is new enough (Debian's golang-go,
# 1.19, may come first on PATH), else Go's own toolchain download through the module proxy.
go=""
for candidate in /usr/local/go/bin/go "$(command -v go || true)"; do
  if [ -x "$candidate" ] && "$candidate" version | grep -Eq 'go1\.(2[6-9]|[3-9][0-9])'; then
    go=$candidate
    break
  fi
done
if [ -z "$go" ]; then
  go=$(command -v go || { echo "control-plane: Go is not installed (need 1.26 or newer)" >&2; exit 1; })
  export GOTOOLCHAIN=go1.26.8
  echo "control-plane: $($go version | cut -d' ' -f3) is too old; using GOTOOLCHAIN=$GOTOOLCHAIN"
fi
export GOFLAGS="-mod=readonly -buildvcs=false"

echo "control-plane: building Kubernetes v$K8S_VERSION (kube-apiserver, kube-controller-manager, kubectl),"
echo "  helm $HELM_VERSION and etcd $ETCD_VERSION with $($go version | cut -d' ' -f3) into $DIR"
echo "  (a cold build downloads about 870 MB of modules and compiles for about 8 minutes on 2 cores)"
started=$(date +%s)
( while sleep 30; do echo "control-plane: still building ($(( $(date +%s) - started )) s)"; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT

echo "control-plane: downloading modules"
"$go" mod download

work=$(mktemp -d)
# The version the programs report (kube-apiserver --version, /version, helm version) is set at
# link time, as Kubernetes' and Helm's own release builds do.
kversion="-X k8s.io/component-base/version.gitVersion=v$K8S_VERSION"
kversion+=" -X k8s.io/component-base/version.gitMajor=${K8S_VERSION%%.*}"
kversion+=" -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
kversion+=" -X k8s.io/component-base/version.gitTreeState=clean"
kversion+=" -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION"
kversion+=" -X k8s.io/client-go/pkg/version.gitMajor=${K8S_VERSION%%.*}"
kversion+=" -X k8s.io/client-go/pkg/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
for program in kube-apiserver kube-controller-manager kubectl; do
  echo "control-plane: building $program"
  CGO_ENABLED=0 "$go" build -trimpath -ldflags "-s -w $kversion" -o "$work/$program" "k8s.io/kubernetes/cmd/$program"
done
echo "control-plane: building helm"
CGO_ENABLED=0 "$go" build -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.metadata=" \
  -o "$work/helm" helm.sh/helm/v4/cmd/helm
echo "control-plane: building etcd"
CGO_ENABLED=0 "$go" build -trimpath -ldflags "-s -w" -o "$work/etcd" ./etcd

# Each program must say the version it was pinned at, or the cache is not filled.
check() {
  local program=$1 expected=$2
  local said
  said=$("$work/$program" "${@:3}" 2>&1 | head -1) || true
  if ! grep -qF "$expected" <<<"$said"; then
    echo "control-plane: $program says '$said', expected $expected" >&2
    exit 1
  fi
  echo "  $program: $said"
}
check kube-apiserver "v$K8S_VERSION" --version
check kube-controller-manager "v$K8S_VERSION" --version
check kubectl "v$K8S_VERSION" version --client
check helm "$HELM_VERSION" version --short
check etcd "${ETCD_VERSION#v}" --version

mkdir -p "$DIR"
for program in "${BINARIES[@]}"; do
  install -m 0755 "$work/$program" "$DIR/$program"
done
echo "$stamp" >"$DIR/.stamp"
rm -rf "$work"
echo "control-plane: built in $(( $(date +%s) - started )) s; cached in $DIR"
