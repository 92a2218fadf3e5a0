#!/bin/sh
# The kubenova image's ENTRYPOINT (see Dockerfile): the first argument names the component, the
# rest are handed to it unchanged, and the component replaces this shell (exec), so it is PID 1
# and receives SIGTERM from the kubelet directly.
#   kubenova operator  [kopf run options]      -> python -m kubenova
#   kubenova gateway   [--host H --port P ...] -> python -m kubenova_api
#   kubenova bootstrap [options]               -> python -m kubenova_api bootstrap (identity setup)
#   kubenova simulator [--nodes N ...]         -> python -m kubevirt_simulator
set -eu

usage() {
  cat <<'USAGE'
usage: kubenova COMPONENT [ARGS...]

components:
  operator    the kubenova operator (kopf)
  gateway     the OpenStack-compatible API gateway (Nova v2.1, Keystone v3)
  bootstrap   create or update the gateway's identity Secrets, then exit
  simulator   the KubeVirt simulator, for clusters without KubeVirt
USAGE
}

if [ "$#" -eq 0 ]; then
  usage >&2
  exit 2
fi
component="$1"
shift

case "$component" in
  operator) exec python -m kubenova "$@" ;;
  gateway) exec python -m kubenova_api "$@" ;;
  bootstrap) exec python -m kubenova_api bootstrap "$@" ;;
  simulator) exec python -m kubevirt_simulator "$@" ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    echo "kubenova: unknown component '$component'" >&2
    usage >&2
    exit 2
    ;;
esac
