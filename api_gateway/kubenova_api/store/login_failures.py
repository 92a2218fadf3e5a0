"""Failed-login counts in the cluster, so every gateway replica counts every failure
(``kubenova_api.identity.lockout`` holds the rules).

A user key's record lives in the ConfigMap ``kubenova-login-failures-<shard>`` of the identity
namespace (label ``compute.kubenova.io/login-failures``), ``SHARDS`` of them chosen by a hash of
the key; its data key is that hash (user names never appear), its value ``<count> <last failure>``.

- Written only when a login fails (and once when a login succeeds after failures): a conditional
  merge patch of one key, re-read and rebuilt on a conflict, so failures counted at once by several
  replicas are all counted.
- Read with a GET at each password login (not from a watch cache), so a lockout another replica
  recorded a moment ago holds at once.
- Each write to a shard drops that shard's records whose latest failure is older than the lockout
  duration, so a shard holds only the names that failed within it: at ~60 bytes a record, ~17,000
  each, far more than the gateway's bcrypt checks can produce in one lockout duration.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from kubenova import k8s
from kubenova_api import errors
from kubenova_api.identity.lockout import Change, Failures
from kubenova_api.store.kube import call

LABEL = "compute.kubenova.io/login-failures"
PREFIX = "kubenova-login-failures-"
SHARDS = 16


def record_key(key: str) -> str:
    """The data key of a user key: a hash (ConfigMap keys allow few characters; names stay private)."""
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def shard_name(key: str) -> str:
    return f"{PREFIX}{int(record_key(key)[:4], 16) % SHARDS}"


def parse(value: str | None) -> Failures | None:
    count, _, last = (value or "").partition(" ")
    try:
        return Failures(int(count), float(last))
    except ValueError:
        return None


def render(record: Failures) -> str:
    return f"{record.count} {record.last:.3f}"


CONFLICT_ATTEMPTS = 32
"""Conditional-write rounds for one record (every round lets one contending writer through)."""


class LoginFailureStore:
    """The failure records of one namespace (``kubenova_api.identity.lockout.FailureStore``)."""

    def __init__(self, kube: k8s.Client, namespace: str) -> None:
        self.namespace = namespace
        self._kube = kube

    async def _get(self, name: str) -> dict[str, Any] | None:
        try:
            return await call(f"ConfigMap {name}", self._kube.get(k8s.CONFIG_MAPS, name, self.namespace))
        except errors.NotFoundError:
            return None

    async def read(self, key: str) -> Failures | None:
        shard = await self._get(shard_name(key))
        return parse((shard or {}).get("data", {}).get(record_key(key))) if shard else None

    async def update(self, key: str, change: Change, *, forget_before: float) -> Failures:
        name, mine = shard_name(key), record_key(key)
        result: list[Failures] = []

        def build(current: dict[str, Any]) -> dict[str, Any]:
            data: dict[str, str] = current.get("data") or {}
            record = change(parse(data.get(mine)))
            result[:] = [record]
            patch: dict[str, str | None] = {mine: render(record)}
            for other, value in data.items():
                stale = parse(value)
                if other != mine and (stale is None or stale.last < forget_before):
                    patch[other] = None
            return {"data": patch}

        what = f"ConfigMap {name}"
        for _ in range(3):
            current = await self._get(name)
            if current is not None:
                # Failures of one user at the same moment (replicas, parallel clients) all write
                # the same record: each conflict round lets at least one writer through, so allow
                # as many rounds as concurrent writers are plausible.
                modified = self._kube.modify(
                    k8s.CONFIG_MAPS, name, build, self.namespace, current=current, attempts=CONFLICT_ATTEMPTS
                )
                await call(what, modified)
                return result[0]
            first = change(None)
            body = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": self.namespace, "labels": {LABEL: "true"}},
                "data": {mine: render(first)},
            }
            with contextlib.suppress(errors.AlreadyExistsError):  # another replica created it: patch it
                await call(what, self._kube.create(k8s.CONFIG_MAPS, body, self.namespace))
                return first
        raise errors.ConflictError(f"{what} kept changing")

    async def clear(self, key: str) -> None:
        name = shard_name(key)
        with contextlib.suppress(errors.NotFoundError):
            patch = {"data": {record_key(key): None}}
            await call(
                f"ConfigMap {name}", self._kube.merge_patch(k8s.CONFIG_MAPS, name, patch, self.namespace)
            )
