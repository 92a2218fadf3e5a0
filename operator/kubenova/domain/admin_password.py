"""Nova's changePassword rules on KubeVirt (``compute/manager.py`` ``set_admin_password``, the
libvirt driver's ``set_admin_password``), in one place for the gateway and the operator.

Nova's libvirt driver sets a password only through the QEMU guest agent, and only for an image
with ``hw_qemu_guest_agent=yes`` (else ``QemuGuestAgentNotEnabled``, 409); the user is the image's
``os_admin_user``, else ``Administrator`` for ``os_type=windows``, else ``root``. An unresponsive
agent is ``NotImplementedError`` (501 "Unable to set password on instance").

On KubeVirt the guest agent sets passwords from a Secret: a VM built from such an image gets
``spec.template.spec.accessCredentials`` with ``userPassword`` from the Secret ``<vm>-admin-password``
(created empty with the VM: the launcher pod mounts it, so it must exist) and propagation
``qemuGuestAgent``; writing ``{<user>: <password>}`` into the Secret is the change, and virt-handler
reports the VMI condition ``AccessCredentialsSynchronized``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from kubenova.domain.names import SERVER_LABEL
from kubenova.resources.base import API_VERSION
from kubenova.resources.server import Server

AGENT_PROPERTY = "hw_qemu_guest_agent"
AGENT_NOT_ENABLED = "QEMU guest agent is not enabled"
"""Nova's ``QemuGuestAgentNotEnabled``."""
NOT_IMPLEMENTED = "Unable to set password on instance"
"""Nova's 501 for a driver (or an unresponsive agent) that cannot set it."""
_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
"""oslo's ``bool_from_string`` true values (Nova reads the image property with it)."""


def guest_agent_enabled(properties: Mapping[str, str]) -> bool:
    """Whether the image says it runs the QEMU guest agent (``hw_qemu_guest_agent``)."""
    return str(properties.get(AGENT_PROPERTY, "")).strip().lower() in _TRUE


def admin_user(properties: Mapping[str, str]) -> str:
    """The guest user changePassword sets: ``os_admin_user``, else by ``os_type``."""
    user = properties.get("os_admin_user")
    if user:
        return str(user)
    return "Administrator" if properties.get("os_type") == "windows" else "root"


def secret_name(vm_name: str) -> str:
    """The Secret the VM's ``userPassword`` access credential reads."""
    return f"{vm_name}-admin-password"


def failure_message(server_id: str, reason: str) -> str:
    """Nova's ``InstancePasswordSetFailed`` wording."""
    return f"Failed to set admin password on {server_id} because {reason}"


def credentials_secret(server: Server, passwords: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The whole ``<vm>-admin-password`` Secret: created empty with the VM by the operator, and
    replaced (PUT, never patched: a patch answers with the stored object, which would be a read)
    with ``{user: password}`` by changePassword. Owned by the Server, as the VM is."""
    secret: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": secret_name(server.metadata.name),
            "namespace": server.metadata.namespace,
            "labels": {SERVER_LABEL: server.metadata.name},
            "ownerReferences": [
                {
                    "apiVersion": API_VERSION,
                    "kind": "Server",
                    "name": server.metadata.name,
                    "uid": server.server_id,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
    }
    if passwords:
        secret["data"] = {user: base64.b64encode(pw.encode()).decode() for user, pw in passwords.items()}
    return secret
