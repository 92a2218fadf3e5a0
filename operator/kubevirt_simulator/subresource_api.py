# Over 300 lines: one aggregated API server (TLS, discovery, six verbs sharing their checks).
"""The ``subresources.kubevirt.io/v1`` API (virt-api's part): start, stop, restart, migrate,
pause, unpause and softreboot, served over HTTPS behind the API server's aggregation layer.

Requests reach us only through kube-apiserver, which authenticates the caller and passes the
identity in ``X-Remote-User`` / ``X-Remote-Group`` / ``X-Remote-Extra-*``. Like any aggregated
API server we then authorize with a SubjectAccessReview (verb ``update`` on e.g.
``virtualmachines/restart`` in ``subresources.kubevirt.io``), so RBAC behaves as with real
KubeVirt. The identity headers are trusted without a front-proxy client certificate; that is only
safe because the server listens on loopback by default (``--subresource-api-host``).
"""

from __future__ import annotations

import json
import logging
import re
import ssl
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from kubenova.k8s import EVENTS, NODES, Conflict, Invalid, Kind, KubeError, NotFound, Transport
from kubenova.k8s import JsonObject as Obj
from kubenova.kubevirt.models import SUBRESOURCES_GROUP, VERSION, VirtualMachine, VirtualMachineInstance
from kubevirt_simulator import subresource_actions as actions
from kubevirt_simulator.crds import VM_RESOURCE, VMI_RESOURCE, VMIM_RESOURCE
from kubevirt_simulator.names import PAUSE_ANNOTATION, SOFT_REBOOT_ANNOTATION
from kubevirt_simulator.servingcert import ServingCert
from kubevirt_simulator.subresource_actions import Answer, Rejection
from kubevirt_simulator.timeutil import rfc3339
from kubevirt_simulator.vmi_facts import read_vmi

log = logging.getLogger(__name__)

GROUP_VERSION = f"{SUBRESOURCES_GROUP}/{VERSION}"
SAR_RESOURCE = Kind("authorization.k8s.io", "v1", "subjectaccessreviews", namespaced=False)
VM_ACTIONS = ("start", "stop", "restart", "migrate")
VMI_ACTIONS = ("pause", "unpause", "softreboot")
_PATH = re.compile(
    rf"^/apis/{re.escape(GROUP_VERSION)}/namespaces/(?P<namespace>[^/]+)/"
    r"(?P<resource>virtualmachines|virtualmachineinstances)/(?P<name>[^/]+)/(?P<action>[a-z]+)$"
)


@dataclass(frozen=True)
class Target:
    """What a request addresses: ``.../namespaces/{namespace}/{resource}/{name}/{action}``."""

    namespace: str
    resource: str
    name: str
    action: str


def resource_list() -> Obj:
    resources = [
        {
            "name": f"virtualmachines/{a}",
            "singularName": "",
            "namespaced": True,
            "kind": "",
            "verbs": ["update"],
        }
        for a in VM_ACTIONS
    ] + [
        {
            "name": f"virtualmachineinstances/{a}",
            "singularName": "",
            "namespaced": True,
            "kind": "",
            "verbs": ["update"],
        }
        for a in VMI_ACTIONS
    ]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": GROUP_VERSION,
        "resources": resources,
    }


def api_group() -> Obj:
    version = {"groupVersion": GROUP_VERSION, "version": VERSION}
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": SUBRESOURCES_GROUP,
        "versions": [version],
        "preferredVersion": version,
    }


def status(code: int, reason: str, message: str) -> Obj:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


class SubresourceApi:
    def __init__(self, client: Transport, host: str, port: int, cert: ServingCert) -> None:
        self._client = client
        self._cert = cert
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as directory:
            cert, key = Path(directory, "tls.crt"), Path(directory, "tls.key")
            cert.write_bytes(self._cert.cert_pem)
            key.write_bytes(self._cert.key_pem)
            context.load_cert_chain(cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="kubevirt-simulator-api", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- request handling (called from handler threads) -----------------------------------------
    def get(self, path: str) -> tuple[int, Obj | None]:
        if path == "/apis":
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [api_group()]}
        if path == f"/apis/{SUBRESOURCES_GROUP}":
            return 200, api_group()
        if path == f"/apis/{GROUP_VERSION}":
            return 200, resource_list()
        if path == "/openapi/v2":
            return 200, {
                "swagger": "2.0",
                "info": {"title": "KubeVirt simulator subresources", "version": VERSION},
                "paths": {},
            }
        if path in ("/healthz", "/readyz", "/livez"):
            return 200, None
        return 404, status(404, "NotFound", "the server could not find the requested resource")

    def put(self, path: str, headers: dict[str, list[str]], body: bytes) -> tuple[int, Obj | None]:
        match = _PATH.match(path)
        if match is None:
            return 404, status(404, "NotFound", "the server could not find the requested resource")
        target = Target(*(unquote(match[g]) for g in ("namespace", "resource", "name", "action")))
        namespace, resource, name, action = target.namespace, target.resource, target.name, target.action
        allowed = VM_ACTIONS if resource == "virtualmachines" else VMI_ACTIONS
        if action not in allowed:
            return 404, status(404, "NotFound", f"unknown subresource {resource}/{action}")
        user = (headers.get("x-remote-user") or [""])[0]
        if not user:
            return 401, status(401, "Unauthorized", "Unauthorized")
        denied = self._authorize(user, headers, target)
        if denied is not None:
            return 403, status(403, "Forbidden", denied)
        dry_run = _dry_run(body)
        try:
            answer = self._answer(namespace, resource, name, action)
            if isinstance(answer, Rejection):
                return answer.code, status(answer.code, answer.reason, answer.message)
            for write in answer:
                self._perform(namespace, name, write, dry_run)
        except NotFound as exc:
            return 404, status(404, "NotFound", exc.message)
        except (Conflict, Invalid) as exc:
            # 422 on our JSON patches means a "test" op failed: someone changed the object first.
            return 409, status(409, "Conflict", f"{name} changed concurrently, retry: {exc.message}")
        except KubeError as exc:
            return 500, status(500, "InternalError", exc.message)
        log.info(
            "kubevirt-simulator: %s %s/%s %s by %s%s",
            resource,
            namespace,
            name,
            action,
            user,
            " (dry run)" if dry_run else "",
        )
        return 202, None

    def _authorize(self, user: str, headers: dict[str, list[str]], target: Target) -> str | None:
        namespace, resource, name, action = target.namespace, target.resource, target.name, target.action
        extra = {
            k[len("x-remote-extra-") :]: v for k, v in headers.items() if k.startswith("x-remote-extra-")
        }
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": user,
                "groups": headers.get("x-remote-group") or [],
                "extra": {unquote(k): v for k, v in extra.items()},
                "resourceAttributes": {
                    "namespace": namespace,
                    "verb": "update",
                    "group": SUBRESOURCES_GROUP,
                    "version": VERSION,
                    "resource": resource,
                    "subresource": action,
                    "name": name,
                },
            },
        }
        result = self._client.create(SAR_RESOURCE, review)
        if (result.get("status") or {}).get("allowed"):
            return None
        return (
            f'{resource}.{SUBRESOURCES_GROUP} "{name}" is forbidden: User "{user}" cannot update resource '
            f'"{resource}/{action}" in API group "{SUBRESOURCES_GROUP}" in the namespace "{namespace}"'
        )

    def _answer(self, namespace: str, resource: str, name: str, action: str) -> Answer:
        vmi_obj = self._read_vmi(namespace, name)
        vmi = read_vmi(vmi_obj) if vmi_obj is not None else None
        if resource == "virtualmachineinstances":
            if vmi is None or vmi_obj is None:
                return Rejection(404, "NotFound", f'virtualmachineinstances.kubevirt.io "{name}" not found')
            stored = list((vmi_obj.get("status") or {}).get("conditions") or [])
            if action == "softreboot":
                guest_can = not self._node_knob(vmi, SOFT_REBOOT_ANNOTATION, "fail")
                return actions.soft_reboot(vmi, guest_can=guest_can, at=rfc3339())
            if action == "pause":
                domain_can = not self._node_knob(vmi, PAUSE_ANNOTATION, "fail")
                return actions.pause(vmi, stored, rfc3339(), domain_can=domain_can)
            return actions.unpause(vmi, stored)
        vm_obj = self._client.get(VM_RESOURCE, name, namespace)
        try:
            vm = VirtualMachine.model_validate(vm_obj)
        except ValidationError as exc:
            return Rejection(500, "InternalError", f"invalid VirtualMachine: {exc}")
        vm_status: dict[str, Any] = vm_obj.get("status") or {}
        if action == "start":
            return actions.start(vm, vm_status, vmi)
        if action == "stop":
            return actions.stop(vm, vm_status, vmi)
        if action == "restart":
            return actions.restart(vm, vm_status, vmi)
        return actions.migrate(vm, vmi)

    def _node_knob(self, vmi: VirtualMachineInstance, annotation: str, value: str) -> bool:
        """True when the VMI's Node carries the failure knob ``annotation=value``."""
        node = vmi.status.node_name
        if not node:
            return False
        try:
            annotations = (self._client.get(NODES, node).get("metadata") or {}).get("annotations") or {}
        except NotFound:
            return False
        return str(annotations.get(annotation, "")).lower() == value

    def _read_vmi(self, namespace: str, name: str) -> Obj | None:
        try:
            return self._client.get(VMI_RESOURCE, name, namespace)
        except NotFound:
            return None

    def _perform(self, namespace: str, name: str, write: actions.Write, dry_run: bool) -> None:
        query = {"dryRun": "All"} if dry_run else None
        if write.target in ("migrations", "events"):
            assert write.body is not None
            kind = VMIM_RESOURCE if write.target == "migrations" else EVENTS
            self._client.request("POST", kind.path(namespace), query=query, body=write.body)
            return
        resource = VMI_RESOURCE if write.target == "vmi-status" else VM_RESOURCE
        subresource = None if write.target == "vm" else "status"
        self._client.request(
            "PATCH",
            resource.path(namespace, name, subresource),
            query=query,
            body=write.operations,
            content_type="application/json-patch+json",
        )


def _dry_run(body: bytes) -> bool:
    if not body.strip():
        return False
    try:
        options = json.loads(body)
    except ValueError:
        return False
    return isinstance(options, dict) and "All" in (options.get("dryRun") or [])


def _handler_for(api: SubresourceApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "kubevirt-simulator"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("kubevirt-simulator api: " + format, *args)

        def _reply(self, code: int, payload: Obj | None) -> None:
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(code)
            if payload is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._reply(*api.get(urlsplit(self.path).path))

        def do_PUT(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers: dict[str, list[str]] = {}
            for key, value in self.headers.items():
                headers.setdefault(key.lower(), []).append(value)
            try:
                self._reply(*api.put(urlsplit(self.path).path, headers, body))
            except Exception as exc:
                log.exception("kubevirt-simulator: subresource request %s failed", self.path)
                self._reply(500, status(500, "InternalError", str(exc)))

    return Handler
