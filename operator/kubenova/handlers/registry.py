"""Importing this module registers every kubenova handler and index with kopf's default registry."""

from kubenova.handlers import (
    aggregates,
    datavolumes,
    indexes,
    keypairs,
    server_groups,
    server_records,
    startup,
    virtualmachines,
)
from kubenova.handlers.servers import reconcile

MODULES = (
    startup,
    indexes,
    reconcile,
    virtualmachines,
    datavolumes,
    aggregates,
    keypairs,
    server_records,
    server_groups,
)
