"""The Secret a server's VM reads guest passwords from (``<vm>-admin-password``, created empty by
the operator with the VM, for guest-agent images): changePassword writes the password into it,
and virt-launcher applies it through the QEMU guest agent. A merge patch: nothing is read back,
and the gateway never reads such a Secret."""

from __future__ import annotations

import base64

from kubenova import k8s
from kubenova_api import errors
from kubenova_api.store.kube import call


class GuestCredentialStore:
    def __init__(self, kube: k8s.Client) -> None:
        self.kube = kube

    async def set_password(self, namespace: str, secret_name: str, user: str, password: str) -> bool:
        """Write ``user``'s password; ``False`` when the Secret does not exist (the VM has no
        guest-agent access credential)."""
        encoded = base64.b64encode(password.encode()).decode()
        try:
            await call(
                "The guest credentials Secret",
                self.kube.merge_patch(k8s.SECRETS, secret_name, {"data": {user: encoded}}, namespace),
            )
        except errors.NotFoundError:
            return False
        return True
