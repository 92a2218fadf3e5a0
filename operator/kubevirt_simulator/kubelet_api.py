"""The kubelet's HTTPS endpoint of each managed Node, for ``pods/log`` only.

kube-apiserver serves ``GET /api/v1/namespaces/{ns}/pods/{pod}/log?container=...`` by proxying to
``https://<node address>:<status.daemonEndpoints.kubeletEndpoint.Port>/containerLogs/{ns}/{pod}/
{container}``. Each managed Node gets its own listener on its own loopback InternalIP
(``nodes.internal_ip``: 127.31.x.y, all of 127/8 is loopback on Linux) on a port the kernel picks,
which the Node reports as its kubelet port. A launcher pod's ``guest-console-log`` answers the
simulated guest's boot log (``boot_log``); ``compute`` a short virt-launcher log.

Differences from a kubelet: no authentication of the API server (it has no kubelet client
certificate here; the listeners are on loopback), a self-signed certificate the API server does not
verify (no ``--kubelet-certificate-authority``, the Kubernetes default), ``follow`` is not held
open, and nothing but ``/containerLogs`` is served.
"""

from __future__ import annotations

import json
import logging
import re
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import ValidationError

from kubenova.k8s import EVENTS, Informer, KubeError, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import VirtualMachineInstance
from kubevirt_simulator import boot_log
from kubevirt_simulator.launcher_pods import COMPUTE, GUEST_CONSOLE_LOG
from kubevirt_simulator.nodes import internal_ip
from kubevirt_simulator.servingcert import self_signed

log = logging.getLogger(__name__)

_PATH = re.compile(r"^/containerLogs/(?P<namespace>[^/]+)/(?P<pod>[^/]+)/(?P<container>[^/]+)$")


def tail_lines(query: dict[str, list[str]]) -> int | None:
    values = query.get("tailLines") or []
    if not values:
        return None
    raw = values[0]
    try:
        return max(0, int(raw))
    except ValueError:
        return None


class KubeletEndpoints:
    """One HTTPS listener per managed Node, started on first use and stopped with the Node."""

    def __init__(self, pods: Informer[Obj], vmis: Informer[Obj], client: Transport | None = None) -> None:
        self._client = client
        self._pods = pods
        self._vmis = vmis
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._lock = threading.Lock()

    def port_for(self, node: str) -> int:
        """The kubelet port of ``node`` (its listener is started if it has none)."""
        with self._lock:
            server = self._servers.get(node)
            if server is None:
                server = self._listen(node)
                self._servers[node] = server
            return int(server.server_address[1])

    def forget(self, node: str) -> None:
        with self._lock:
            server = self._servers.pop(node, None)
        if server is not None:
            server.shutdown()
            server.server_close()

    def stop(self) -> None:
        for node in list(self._servers):
            self.forget(node)

    def _listen(self, node: str) -> ThreadingHTTPServer:
        address = internal_ip(node)
        cert = self_signed([node], [address])
        server = ThreadingHTTPServer((address, 0), _handler_for(self, node))
        server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as directory:
            crt, key = Path(directory, "tls.crt"), Path(directory, "tls.key")
            crt.write_bytes(cert.cert_pem)
            key.write_bytes(cert.key_pem)
            context.load_cert_chain(crt, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, name=f"kubevirt-simulator-kubelet-{node}")
        thread.daemon = True
        thread.start()
        log.info(
            "kubevirt-simulator: kubelet endpoint of %s on %s:%d", node, address, server.server_address[1]
        )
        return server

    def container_log(self, node: str, namespace: str, pod_name: str, container: str) -> tuple[int, str]:
        """(HTTP status, body) for one container's log, as the kubelet on ``node`` answers."""
        pod = self._pods.get(pod_name, namespace)
        if pod is None or (pod.get("spec") or {}).get("nodeName") != node:
            return 404, f'pod "{pod_name}" in namespace "{namespace}" not found on this node\n'
        names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        if container not in names:
            return 400, f"container {container} is not valid for pod {pod_name}\n"
        started = str((pod.get("status") or {}).get("startTime") or "")
        if not started:
            return (
                400,
                f'container "{container}" in pod "{pod_name}" is waiting to start: ContainerCreating\n',
            )
        if container == COMPUTE:
            entry = {"component": "virt-launcher", "level": "info", "msg": "Domain started"}
            entry["timestamp"] = started
            return 200, json.dumps(entry) + "\n"
        assert container == GUEST_CONSOLE_LOG
        vmi = self._vmi_of(pod)
        if vmi is None:
            return 200, ""
        reboots = self._soft_reboots(vmi)
        return 200, "\n".join(boot_log.render(vmi, started, reboots))  # ends at the login prompt

    def _soft_reboots(self, vmi: VirtualMachineInstance) -> list[str]:
        """When the guest was soft-rebooted in place: virt-handler's ``SoftRebooted`` Events."""
        if self._client is None:
            return []
        selector = f"involvedObject.uid={vmi.metadata.uid},reason=SoftRebooted"
        try:
            events = self._client.list(EVENTS, vmi.metadata.namespace, field_selector=selector)
        except KubeError as exc:
            log.warning(
                "kubevirt-simulator: reading the soft reboots of %s failed: %s", vmi.metadata.name, exc
            )
            return []
        return [str(e.get("firstTimestamp") or e.get("lastTimestamp") or "") for e in events]

    def _vmi_of(self, pod: Obj) -> VirtualMachineInstance | None:
        meta = pod.get("metadata") or {}
        owner = next(
            (r for r in meta.get("ownerReferences") or [] if r.get("kind") == "VirtualMachineInstance"), None
        )
        obj = self._vmis.get(str((owner or {}).get("name")), meta.get("namespace")) if owner else None
        if obj is None or (obj.get("metadata") or {}).get("uid") != (owner or {}).get("uid"):
            return None
        try:
            return VirtualMachineInstance.model_validate(obj)
        except ValidationError:
            return None


def _handler_for(endpoints: KubeletEndpoints, node: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            match = _PATH.match(url.path)
            if match is None:
                self._answer(404, "404 page not found\n")
                return
            status, body = endpoints.container_log(
                node, unquote(match["namespace"]), unquote(match["pod"]), unquote(match["container"])
            )
            if status == 200:
                lines = body.splitlines(keepends=True)
                body = "".join(boot_log.tail(lines, tail_lines(parse_qs(url.query))))
            self._answer(status, body)

        def _answer(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt: str, *args: Any) -> None:
            log.debug("kubevirt-simulator: kubelet %s: " + fmt, node, *args)

    return Handler
