#!/usr/bin/env bash
# Build etcd, kube-apiserver, kube-controller-manager and kubectl from the Go module proxy into a
# cache directory keyed by the Kubernetes version and a digest of everything that shapes the
# binaries (go.mod, go.sum, the mains, this script). Skips the build when the binaries are there, so
# `make test` / `make run` pay for a build only once per version.
# Prints the directory holding the binaries on stdout (and nothing else); progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(sed -n 's/^\tk8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$here/go.mod")"
minor="$(echo "$version" | cut -d. -f2)"
digest="$(cat "$here/go.mod" "$here/go.sum" "$here"/cmd/*/main.go "$here/build.sh" | sha256sum | cut -c1-12)"
cache_root="${KUBENOVA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubenova}"
out="$cache_root/controlplane/$version-$digest"
binaries=(etcd kube-apiserver kube-controller-manager kubectl)

complete() {
  local b
  for b in "${binaries[@]}"; do [ -x "$out/$b" ] || return 1; done
}

if complete; then
  echo "$out"
  exit 0
fi

# A second `make` started while a build runs must wait for it, not race it on the same output dir
# (and not double the memory use on a small machine).
mkdir -p "$cache_root/controlplane"
if command -v flock >/dev/null; then
  exec 9>"$cache_root/controlplane/.build.lock"
  if ! flock -n 9; then
    echo "another control-plane build is running; waiting for it" >&2
    flock 9
  fi
fi
if complete; then
  echo "$out"
  exit 0
fi

if ! command -v go >/dev/null; then
  echo "error: Go is needed to build the local control plane (go.mod says: $(sed -n 's/^go //p' "$here/go.mod"))" >&2
  exit 1
fi
go_line="$(sed -n 's/^go \([0-9]*\.[0-9]*\).*/\1/p' "$here/go.mod")"
have="$(GOTOOLCHAIN=local go env GOVERSION | sed 's/^go\([0-9]*\.[0-9]*\).*/\1/')"
if [ "$(printf '%s\n%s\n' "$go_line" "$have" | sort -V | head -1)" != "$go_line" ]; then
  echo "error: Go $have is too old for the control plane module (needs $go_line or newer)" >&2
  exit 1
fi

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1"
ldflags="$ldflags -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$version"
ldflags="$ldflags -X k8s.io/component-base/version.gitTreeState=clean"
start=$(date +%s)
echo "building control plane $version into $out (a cold build takes ~5-6 min on 2 cores)" >&2
(
  cd "$here"
  # One `go build` for all mains so shared packages compile once; -p 2 keeps memory bounded.
  # -mod=readonly: the committed go.mod/go.sum are the truth; a build never rewrites them.
  CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -p "${KUBENOVA_BUILD_JOBS:-2}" -trimpath \
    -tags selinux,notest -ldflags "$ldflags" -o "$out.tmp/" ./cmd/... >&2
)
for b in "${binaries[@]}"; do
  [ -x "$out.tmp/$b" ] || { echo "error: build produced no $b" >&2; exit 1; }
done
rm -rf "$out"
mv "$out.tmp" "$out"
echo "control plane built in $(( $(date +%s) - start ))s" >&2
# Keep the three newest builds (other checkouts may be on other commits); each is ~300 MB.
find "$cache_root/controlplane" -mindepth 1 -maxdepth 1 -type d -name 'v*-*' ! -name '*.tmp' -printf '%T@ %p\n' |
  sort -rn | tail -n +4 | cut -d' ' -f2- | while read -r old; do rm -rf "$old"; done
echo "$out"
