"""What a Server refers to, from the cluster view: its Flavor and Image (by object name) and its
Keypair (by Nova name and owner, ``domain.keypairs.choose``). No GETs: an object created a
moment before the Server is waited for on the view (``build``), within the grace period."""

from __future__ import annotations

from dataclasses import dataclass

from kubenova.domain import keypairs
from kubenova.handlers.cluster_view import ClusterView
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


def resolve(view: ClusterView, server: Server) -> References:
    """Flavor, Image and Keypair of ``server``; ``MissingReference`` for the first one missing."""
    return References(
        flavor=flavor(view, server.spec.flavor), image=image(view, server), keypair=keypair(view, server)
    )


def flavor(view: ClusterView, name: str) -> Flavor:
    found = view.flavor(name)
    if found is None:
        raise MissingReference(f"Flavor {name} could not be found.")
    return found


def image(view: ClusterView, server: Server) -> Image:
    found = view.image(server.spec.image)
    if found is None:
        raise MissingReference(f"Image {server.spec.image} could not be found.")
    return found


def keypair(view: ClusterView, server: Server) -> Keypair | None:
    """The Keypair named ``spec.keyName`` owned by the server's user, else an ownerless one."""
    key_name = server.spec.key_name
    if not key_name:
        return None
    chosen = keypairs.choose(view.keypairs(key_name), key_name, server.spec.user_id)
    if chosen is None:
        owner = server.spec.user_id or "(none)"
        raise MissingReference(f"Keypair {key_name} not found for user {owner}")
    return chosen
