"""Importing this module registers every kubenova handler and index with kopf's default registry."""

from kubenova.handlers import aggregates, indexes, keypairs, server_records, startup, virtualmachines
from kubenova.handlers.servers import reconcile

MODULES = (startup, indexes, reconcile, virtualmachines, aggregates, keypairs, server_records)
