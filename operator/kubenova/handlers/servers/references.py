"""Fetching what a Server refers to: its Flavor and Image (by object name) and its Keypair (by
Nova name and owner). Always read from the API server, never from a watch cache, so a Server
applied right after its Flavor (``kubectl apply -f dir/``) finds it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from kubenova import k8s
from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.keypair import Keypair
from kubenova.resources.server import Server


class MissingReference(Exception):  # noqa: N818 - a condition, not a bug
    """A referenced object does not exist; ``str()`` is the fault message, Nova-worded."""


@dataclass(frozen=True)
class References:
    flavor: Flavor
    image: Image
    keypair: Keypair | None


async def resolve(client: k8s.Client, server: Server) -> References:
    """Flavor, Image and Keypair of ``server``; ``MissingReference`` for the first one missing."""
    return References(
        flavor=await flavor(client, server.spec.flavor),
        image=await image(client, server.spec.image),
        keypair=await keypair(client, server),
    )


async def flavor(client: k8s.Client, name: str) -> Flavor:
    try:
        return Flavor.model_validate(await client.get(k8s.FLAVORS, name))
    except k8s.NotFound:
        raise MissingReference(f"Flavor {name} could not be found.") from None


async def image(client: k8s.Client, name: str) -> Image:
    try:
        return Image.model_validate(await client.get(k8s.IMAGES, name))
    except k8s.NotFound:
        raise MissingReference(f"Image {name} could not be found.") from None


async def keypair(client: k8s.Client, server: Server) -> Keypair | None:
    """The Keypair named ``spec.keyName`` owned by the server's user, else an ownerless one.

    Keypair object names usually equal their Nova name, so that is tried first; otherwise every
    Keypair is listed (keypairs are few) and matched on ``spec.name``.
    """
    key_name = server.spec.key_name
    if not key_name:
        return None
    candidates: list[Keypair] = []
    with contextlib.suppress(k8s.NotFound):
        candidates.append(Keypair.model_validate(await client.get(k8s.KEYPAIRS, key_name)))
    chosen = choose_keypair(candidates, key_name, server.spec.user_id)
    if chosen is None:
        listed = [Keypair.model_validate(item) for item in await client.list(k8s.KEYPAIRS)]
        chosen = choose_keypair(listed, key_name, server.spec.user_id)
    if chosen is None:
        owner = server.spec.user_id or "(none)"
        raise MissingReference(f"Keypair {key_name} not found for user {owner}")
    return chosen


def choose_keypair(keypairs: list[Keypair], key_name: str, user_id: str | None) -> Keypair | None:
    """The user's own keypair named ``key_name``, else an ownerless one of that name."""
    named = [k for k in keypairs if k.key_name == key_name]
    owned = [k for k in named if user_id is not None and k.spec.user_id == user_id]
    shared = [k for k in named if k.spec.user_id is None]
    for group in (owned, shared):
        if group:
            return sorted(group, key=lambda k: k.metadata.name)[0]
    return None
