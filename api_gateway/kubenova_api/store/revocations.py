"""Revoked tokens' audit ids, kept only as long as the tokens they revoke could be used.

A revocation matters until its token expires, so revocations are filed by the token's expiry:
the ConfigMap ``kubenova-token-revocations-<window>-<shard>`` in the identity namespace (label
``compute.kubenova.io/token-revocations``) holds, as data keys, the audit ids of revoked tokens
that expire in the ``WINDOW_SECONDS`` window number ``<window>`` (Unix time // WINDOW_SECONDS),
spread over ``SHARDS`` ConfigMaps by a hash of the audit id; each value is the token's expiry.

- A revocation is one merge patch of one key into one small object (the object is created by the
  first revocation that needs it), so concurrent revocations from any number of replicas never
  overwrite each other and no write rewrites every revocation.
- A window's ConfigMaps are deleted once the window is over: every token they name has expired.
  With tokens of an hour, about 5 windows of 8 shards are alive at most; at ~45 bytes a revocation
  each object holds ~20,000 before the API server's 1 MiB limit, so ~800,000 revocations an hour.
- Every replica watches the label, so a revocation anywhere is honoured everywhere.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from typing import Any

from kubenova import k8s
from kubenova_api import errors
from kubenova_api.store.kube import Informer, call

LABEL = "compute.kubenova.io/token-revocations"
PREFIX = "kubenova-token-revocations-"
WINDOW_SECONDS = 900
SHARDS = 8


@dataclass(frozen=True)
class RevocationShard:
    """One ConfigMap of revocations: its window and the audit ids it lists."""

    name: str
    window: int | None
    audit_ids: frozenset[str]

    def over(self, now: float) -> bool:
        """Every token it names has expired (a name that is not ours is never over)."""
        return self.window is not None and (self.window + 1) * WINDOW_SECONDS < now


def window_of(expires_at: float) -> int:
    return int(expires_at // WINDOW_SECONDS)


def shard_name(audit_id: str, expires_at: float) -> str:
    """Where the revocation of the token ``audit_id``, expiring at ``expires_at``, is filed."""
    shard = hashlib.sha256(audit_id.encode()).digest()[0] % SHARDS
    return f"{PREFIX}{window_of(expires_at)}-{shard}"


def _parse(obj: dict[str, Any]) -> RevocationShard:
    name = str((obj.get("metadata") or {}).get("name") or "")
    window: int | None = None
    head, _, _shard = name.removeprefix(PREFIX).partition("-")
    if name.startswith(PREFIX) and head.isdigit():
        window = int(head)
    return RevocationShard(name, window, frozenset((obj.get("data") or {}).keys()))


class RevocationStore:
    """The revocation ConfigMaps of one namespace: membership from the watch cache."""

    def __init__(self, kube: k8s.Client, namespace: str) -> None:
        self.namespace = namespace
        self._kube = kube
        self.informer: Informer[RevocationShard] = Informer(
            kube.transport,
            k8s.CONFIG_MAPS,
            _parse,
            namespace=namespace,
            label_selector=LABEL,
            name="token revocations",
        )

    def shards(self) -> list[RevocationShard]:
        return self.informer.objects()

    def revoked(self, audit_ids: tuple[str, ...]) -> bool:
        return any(audit_id in shard.audit_ids for shard in self.shards() for audit_id in audit_ids)

    async def add(self, audit_id: str, expires_at: float) -> None:
        """File one revocation (create the shard if this is its first)."""
        name = shard_name(audit_id, expires_at)
        data = {audit_id: str(int(expires_at) + 1)}
        what = f"ConfigMap {name}"
        try:
            patched = self._kube.merge_patch(k8s.CONFIG_MAPS, name, {"data": data}, self.namespace)
            self.informer.record_write(await call(what, patched))
            return
        except errors.NotFoundError:
            pass
        body = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": self.namespace, "labels": {LABEL: "true"}},
            "data": data,
        }
        try:
            created = await call(what, self._kube.create(k8s.CONFIG_MAPS, body, self.namespace))
            self.informer.record_write(created)
        except errors.AlreadyExistsError:  # another replica created it meanwhile
            patched = self._kube.merge_patch(k8s.CONFIG_MAPS, name, {"data": data}, self.namespace)
            self.informer.record_write(await call(what, patched))

    async def drop_expired(self, now: float) -> None:
        """Delete the shards whose window is over (whichever replica gets there first)."""
        for shard in self.shards():
            if not shard.over(now):
                continue
            request = self._kube.delete(k8s.CONFIG_MAPS, shard.name, self.namespace)
            with contextlib.suppress(errors.NotFoundError):
                await call(f"ConfigMap {shard.name}", request)
