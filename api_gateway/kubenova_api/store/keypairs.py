"""Keypair CRs by (owner user id, Nova key name).

Keypairs are cluster-scoped and belong to users (``spec.userId``). Objects the gateway creates
are named ``kp-<slug>-<hash(user, name)>`` so one user cannot get two keys of the same name even
when two requests race; objects made with kubectl may be named anything and are found by spec.
"""

from __future__ import annotations

from kubenova.domain import keypairs
from kubenova.resources import Keypair
from kubenova.resources.keypair import KeypairSpec
from kubenova_api import errors
from kubenova_api.store import naming
from kubenova_api.store.custom_resources import CustomResourceStore


def object_name_for(user_id: str, key_name: str) -> str:
    return naming.object_name("kp", user_id, key_name)


class KeypairStore:
    """Nova's per-user view of the Keypair kind."""

    def __init__(self, crs: CustomResourceStore[Keypair]) -> None:
        self.crs = crs

    def owned_by(self, user_id: str) -> list[Keypair]:
        return [kp for kp in self.crs.list() if kp.spec.user_id == user_id]

    def find(self, user_id: str, key_name: str) -> Keypair | None:
        return next((kp for kp in self.owned_by(user_id) if kp.key_name == key_name), None)

    def resolve(self, user_id: str | None, key_name: str) -> Keypair | None:
        """The key a server of ``user_id`` means by ``key_name`` (``domain.keypairs.choose``)."""
        return keypairs.choose(self.crs.list(), key_name, user_id)

    async def create(self, spec: KeypairSpec) -> Keypair:
        key_name, user_id = spec.name or "", spec.user_id or ""
        body = Keypair.body(object_name_for(user_id, key_name), spec)
        try:
            return await self.crs.create(body, what=f"Key pair '{key_name}'")
        except errors.AlreadyExistsError:
            raise errors.AlreadyExistsError(f"Key pair '{key_name}' already exists.") from None

    async def delete(self, keypair: Keypair) -> None:
        await self.crs.delete(keypair, what=f"Keypair {keypair.key_name}")
