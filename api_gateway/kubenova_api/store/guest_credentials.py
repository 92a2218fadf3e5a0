"""The Secret a server's VM reads guest passwords from (``<vm>-admin-password``, created empty by
the operator with the VM, for guest-agent images): changePassword replaces it (PUT) with
``{user: password}``, and virt-launcher applies it through the QEMU guest agent. Never read and
never patched: a PUT answers with what was sent, a patch with what was stored."""

from __future__ import annotations

from kubenova import k8s
from kubenova.domain import admin_password
from kubenova.resources import Server
from kubenova_api import errors
from kubenova_api.store.kube import call


class GuestCredentialStore:
    def __init__(self, kube: k8s.Client) -> None:
        self.kube = kube

    async def set_password(self, server: Server, user: str, password: str) -> bool:
        """Write ``user``'s password; ``False`` when the Secret does not exist (the VM has no
        guest-agent access credential)."""
        body = admin_password.credentials_secret(server, {user: password})
        name, namespace = body["metadata"]["name"], server.metadata.namespace or ""
        try:
            await call("The guest credentials Secret", self.kube.replace(k8s.SECRETS, name, body, namespace))
        except errors.NotFoundError:
            return False
        return True
