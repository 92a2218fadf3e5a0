#!/usr/bin/env bash
# End-to-end test on a real cluster with real KubeVirt (`make e2e-kind`):
#   1. create a kind cluster (pinned node image)
#   2. install a pinned KubeVirt release with software emulation (no /dev/kvm needed) and a pinned
#      CDI release (servers' root disks are CDI DataVolumes, on kind's local-path StorageClass) and
#      wait until both are Available
#   3. build kubenova's image, load it into the kind nodes, `kubectl apply -k manifests/` (the
#      default install: real KubeVirt, no simulator) and wait for the rollouts
#      (through an overlay that replaces the placeholder passwords, as docs/install.md shows)
#   4. port-forward the gateway and run tests/e2e against the existing cluster
#      (KUBENOVA_EXISTING_CLUSTER=1) and the deployed gateway
#   5. delete the cluster (always; KUBENOVA_E2E_KEEP=1 keeps it for debugging)
#
# Needs: docker (with a running engine), kind, curl, and the project's venv (make venv). kubectl is
# the project's own (tools/controlplane/build.sh) unless KUBECTL points to another one.
#
# Environment:
#   KUBENOVA_E2E_CLUSTER   kind cluster name                      (default kubenova-e2e)
#   KUBENOVA_E2E_KEEP=1    keep the cluster (and print how to reach it) instead of deleting it
#   KUBENOVA_E2E_REUSE=1   reuse an existing cluster of that name (skips create + KubeVirt install)
#   KUBENOVA_E2E_PORT      local port for the gateway port-forward (default 18774)
#   KIND_NODE_IMAGE        override the pinned node image
#   KUBEVIRT_VERSION       override the pinned KubeVirt release
#   CDI_VERSION            override the pinned CDI (containerized-data-importer) release
#   PYTEST_ARGS            extra pytest arguments (e.g. "-k samples -x")
set -euo pipefail

# kind v0.33.0's image for Kubernetes 1.35 (a release KubeVirt v1.8 supports); the digest pins the
# exact build, as kind's release notes ask.
KIND_NODE_IMAGE="${KIND_NODE_IMAGE:-kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0}"
KIND_MIN_VERSION="0.33.0"
KUBEVIRT_VERSION="${KUBEVIRT_VERSION:-v1.8.2}"
CDI_VERSION="${CDI_VERSION:-v1.66.0}"
CLUSTER="${KUBENOVA_E2E_CLUSTER:-kubenova-e2e}"
LOCAL_PORT="${KUBENOVA_E2E_PORT:-18774}"
NAMESPACE="kubenova-system"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workdir="$(mktemp -d "${TMPDIR:-/tmp}/kubenova-e2e.XXXXXX")"
kubeconfig="$workdir/kubeconfig"
port_forward_pid=""
created_cluster=0

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'e2e-kind: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local status=$?
  set +e
  if [ -n "$port_forward_pid" ]; then
    kill "$port_forward_pid" 2>/dev/null
    wait "$port_forward_pid" 2>/dev/null
  fi
  if [ "$status" -ne 0 ] && [ -s "$kubeconfig" ]; then
    diagnostics
  fi
  if [ "$created_cluster" -eq 1 ] && [ "${KUBENOVA_E2E_KEEP:-0}" != "1" ]; then
    log "deleting kind cluster $CLUSTER"
    kind delete cluster --name "$CLUSTER" >&2
    rm -rf "$workdir"
  elif [ "$created_cluster" -eq 1 ]; then
    log "kept kind cluster $CLUSTER; KUBECONFIG=$kubeconfig (kind delete cluster --name $CLUSTER)"
  else
    rm -rf "$workdir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# What a failed run leaves for whoever reads the CI log.
diagnostics() {
  log "diagnostics"
  k get nodes -o wide >&2
  k get pods -A -o wide >&2
  k -n kubevirt get kubevirt -o yaml >&2
  k get cdi -o yaml >&2
  k get datavolumes,persistentvolumeclaims -A -o wide >&2
  k get servers,virtualmachines,virtualmachineinstances -A -o wide >&2
  k -n "$NAMESPACE" get events --sort-by=.lastTimestamp >&2
  local deploy
  for deploy in kubenova-operator kubenova-gateway; do
    printf -- '--- logs of %s\n' "$deploy" >&2
    k -n "$NAMESPACE" logs "deploy/$deploy" --all-containers --tail=200 >&2
  done
}

k() { "$KUBECTL" --kubeconfig "$kubeconfig" "$@"; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"; }

check_tools() {
  need docker "https://docs.docker.com/engine/install/"
  need kind "go install sigs.k8s.io/kind@v$KIND_MIN_VERSION"
  need curl "your distribution's curl package"
  docker info >/dev/null 2>&1 || die "docker cannot reach a running engine (docker info failed)"
  local have
  have="$(kind version | awk '{print $2}')"
  have="${have#v}"
  if [ "$(printf '%s\n%s\n' "$KIND_MIN_VERSION" "$have" | sort -V | head -1)" != "$KIND_MIN_VERSION" ]; then
    die "kind $have is older than v$KIND_MIN_VERSION, which built the pinned node image"
  fi
  [ -x "$root/.venv/bin/pytest" ] || die "the project venv is missing: run make venv"
  if [ -z "${KUBECTL:-}" ]; then
    KUBECTL="$("$root/tools/controlplane/build.sh")/kubectl"
  fi
  [ -x "$KUBECTL" ] || die "kubectl not found at $KUBECTL"
}

create_cluster() {
  if [ "${KUBENOVA_E2E_REUSE:-0}" = "1" ] && kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
    log "reusing kind cluster $CLUSTER"
    kind get kubeconfig --name "$CLUSTER" >"$kubeconfig"
    return
  fi
  kind get clusters 2>/dev/null | grep -qx "$CLUSTER" && die "a kind cluster named $CLUSTER exists already"
  log "creating kind cluster $CLUSTER ($KIND_NODE_IMAGE)"
  created_cluster=1
  kind create cluster --name "$CLUSTER" --image "$KIND_NODE_IMAGE" --kubeconfig "$kubeconfig" --wait 180s >&2
}

install_kubevirt() {
  if [ "${KUBENOVA_E2E_REUSE:-0}" = "1" ] && k -n kubevirt get kubevirt kubevirt >/dev/null 2>&1; then
    log "KubeVirt already installed"
  else
    log "installing KubeVirt $KUBEVIRT_VERSION (software emulation)"
    # Server-side: the KubeVirt CRD is too large for client-side apply's last-applied annotation.
    k apply --server-side --field-manager=kubenova-e2e \
      -f "https://github.com/kubevirt/kubevirt/releases/download/$KUBEVIRT_VERSION/kubevirt-operator.yaml" >&2
    k -n kubevirt rollout status deployment/virt-operator --timeout=600s >&2
    # kind nodes have no /dev/kvm: QEMU emulates the CPU (slow, but real guests boot).
    k apply --server-side --field-manager=kubenova-e2e -f - >&2 <<'EOF'
apiVersion: kubevirt.io/v1
kind: KubeVirt
metadata:
  name: kubevirt
  namespace: kubevirt
spec:
  configuration:
    developerConfiguration:
      useEmulation: true
    # kubenova's live migration pins the VM to the target first: KubeVirt must copy a changed
    # nodeSelector to the running VMI (the default strategy, Stage, waits for a restart).
    vmRolloutStrategy: LiveUpdate
  imagePullPolicy: IfNotPresent
EOF
  fi
  log "waiting for KubeVirt to become Available"
  k -n kubevirt wait kubevirt/kubevirt --for=condition=Available --timeout=900s >&2
}

install_cdi() {
  if [ "${KUBENOVA_E2E_REUSE:-0}" = "1" ] && k get cdi cdi >/dev/null 2>&1; then
    log "CDI already installed"
  else
    log "installing CDI $CDI_VERSION"
    k apply --server-side --field-manager=kubenova-e2e \
      -f "https://github.com/kubevirt/containerized-data-importer/releases/download/$CDI_VERSION/cdi-operator.yaml" >&2
    k -n cdi rollout status deployment/cdi-operator --timeout=600s >&2
    k apply --server-side --field-manager=kubenova-e2e \
      -f "https://github.com/kubevirt/containerized-data-importer/releases/download/$CDI_VERSION/cdi-cr.yaml" >&2
  fi
  log "waiting for CDI to become Available"
  k wait cdi/cdi --for=condition=Available --timeout=900s >&2
}

# The image reference the manifests deploy (all Deployments use the same one; tests/deploy
# checks that), so the image we build is the one the pods ask for.
manifest_image() {
  k kustomize "$root/manifests" | awk '$1 == "image:" && $2 ~ /kubenova/ { print $2; exit }'
}

build_and_load_image() {
  local image
  image="$(manifest_image)"
  [ -n "$image" ] || die "no kubenova image reference in the rendered manifests"
  log "building $image"
  docker build --tag "$image" "$root" >&2
  log "loading $image into kind"
  kind load docker-image "$image" --name "$CLUSTER" >&2
}

# kubectl apply -k manifests/, through a throw-away overlay that replaces the placeholder
# passwords exactly as docs/install.md tells users to (secretGenerator, behavior: replace).
deploy_kubenova() {
  E2E_ADMIN_PASSWORD="$(random_password)"
  E2E_DEFAULT_PASSWORD="$(random_password)"
  local overlay="$workdir/overlay" manifests
  mkdir -p "$overlay"
  manifests="$("$root/.venv/bin/python" -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' \
    "$root/manifests" "$overlay")"
  cat >"$overlay/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $manifests
secretGenerator:
  - name: kubenova-bootstrap
    namespace: $NAMESPACE
    behavior: replace
    literals:
      - admin-password=$E2E_ADMIN_PASSWORD
      - default-password=$E2E_DEFAULT_PASSWORD
    options:
      disableNameSuffixHash: true
EOF
  log "kubectl apply -k manifests/ (with fresh passwords)"
  k apply -k "$overlay" --server-side --field-manager=kubenova-e2e >&2
  k wait --for=condition=Established --timeout=60s crd --selector=app.kubernetes.io/part-of=kubenova >&2
  k -n "$NAMESPACE" wait --for=condition=Complete --timeout=300s job/kubenova-bootstrap >&2
  k -n "$NAMESPACE" rollout status deployment/kubenova-operator --timeout=300s >&2
  k -n "$NAMESPACE" rollout status deployment/kubenova-gateway --timeout=300s >&2
}

random_password() {
  head -c 18 /dev/urandom | base64 | tr -d '/+='
}

port_forward_gateway() {
  log "port-forwarding the gateway to 127.0.0.1:$LOCAL_PORT"
  k -n "$NAMESPACE" port-forward service/kubenova-gateway "$LOCAL_PORT:8774" >"$workdir/port-forward.log" 2>&1 &
  port_forward_pid=$!
  local i
  for i in $(seq 1 60); do
    if curl --silent --fail --max-time 2 "http://127.0.0.1:$LOCAL_PORT/compute/" >/dev/null; then
      return
    fi
    kill -0 "$port_forward_pid" 2>/dev/null || die "port-forward exited: $(cat "$workdir/port-forward.log")"
    sleep 1
    [ "$i" -lt 60 ] || die "the gateway did not answer on 127.0.0.1:$LOCAL_PORT"
  done
}

run_tests() {
  log "running tests/e2e"
  local args=()
  if [ -n "${PYTEST_ARGS:-}" ]; then
    read -r -a args <<<"$PYTEST_ARGS"
  fi
  (
    cd "$root"
    KUBENOVA_EXISTING_CLUSTER=1 \
      KUBECONFIG="$kubeconfig" \
      KUBENOVA_E2E_GATEWAY_URL="http://127.0.0.1:$LOCAL_PORT" \
      KUBENOVA_E2E_ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD" \
      KUBENOVA_E2E_DEFAULT_PASSWORD="$E2E_DEFAULT_PASSWORD" \
      KUBENOVA_E2E_REAL_KUBEVIRT=1 \
      .venv/bin/pytest -p no:cacheprovider tests/e2e "${args[@]}"
  )
}

main() {
  check_tools
  create_cluster
  install_kubevirt
  install_cdi
  build_and_load_image
  deploy_kubenova
  port_forward_gateway
  run_tests
  log "e2e passed"
}

main "$@"
