"""Custom resource models of the group ``compute.kubenova.io``: the single source of truth.

The CRD YAML in ``crds/`` is generated from these classes (``make crds``); the operator and the
gateway parse bodies into them. Must not import the Kubernetes client, kopf or the gateway.
"""

from kubenova.resources.aggregate import Aggregate
from kubenova.resources.base import GROUP, VERSION, CustomResource
from kubenova.resources.flavor import Flavor
from kubenova.resources.image import Image
from kubenova.resources.keypair import Keypair
from kubenova.resources.migration import Migration
from kubenova.resources.server import Server
from kubenova.resources.server_group import ServerGroup
from kubenova.resources.server_record import ServerRecord

ALL: tuple[type[CustomResource], ...] = (
    Flavor,
    Image,
    Keypair,
    Aggregate,
    Server,
    ServerRecord,
    ServerGroup,
    Migration,
)

__all__ = [
    "ALL",
    "GROUP",
    "VERSION",
    "Aggregate",
    "CustomResource",
    "Flavor",
    "Image",
    "Keypair",
    "Migration",
    "Server",
    "ServerGroup",
    "ServerRecord",
]
