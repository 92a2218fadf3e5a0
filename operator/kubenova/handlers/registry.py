"""Importing this module registers every kubenova handler with kopf's default registry."""

from kubenova.handlers import aggregates, keypairs, startup, virtualmachines
from kubenova.handlers.servers import build, delete, power, reboot, resync

MODULES = (startup, build, power, reboot, delete, resync, virtualmachines, aggregates, keypairs)
