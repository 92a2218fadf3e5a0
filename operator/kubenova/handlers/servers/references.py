"""What a Server refers to, from the cluster view: its Flavor and Image (by object name), its
Keypair (by Nova name and owner, ``domain.keypairs.choose``) and its ServerGroup (by uid, in the
Server's namespace). No GETs: an object created a
moment before the Server is waited for on the view (``ClusterView.wait_for``: by ``build``, and by
rebuild and rescue for the Image they name), within the grace period."""

from __future__ import annotations

from dataclasses import dataclass

from kubenova.domain import keypairs, server_groups
from kubenova.handlers.cluster_view import ClusterView
from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.keypair import Keypair
from kubenova.resources.server import Server
from kubenova.resources.server_group import ServerGroup


class MissingReference(Exception):  # noqa: N818 - a condition, not a bug
    """A referenced object does not exist; ``str()`` is the fault message, Nova-worded."""


@dataclass(frozen=True)
class References:
    flavor: Flavor
    image: Image
    keypair: Keypair | None
    group: ServerGroup | None = None


def resolve(view: ClusterView, server: Server) -> References:
    """Flavor, Image, Keypair and server group of ``server``; ``MissingReference`` for the first
    one missing."""
    return References(
        flavor=flavor(view, server.spec.flavor),
        image=image(view, server),
        keypair=keypair(view, server),
        group=group(view, server),
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


def group(view: ClusterView, server: Server) -> ServerGroup | None:
    """The server group named by the ``group`` hint: one of the server's own project."""
    group_id = server_groups.group_of(server)
    if group_id is None:
        return None
    found = view.server_group(group_id)
    if found is None or found.metadata.namespace != server.metadata.namespace:
        raise MissingReference(server_groups.not_found_message(group_id))
    return found
