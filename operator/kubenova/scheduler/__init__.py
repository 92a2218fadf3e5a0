"""kubenova's nova-scheduler: where should a server run?

Owns the request spec (what a server needs), per-Node host state (capacity, usage, aggregates,
availability zone), the filters and weighers, and ``selection.select_destination`` which runs
them and raises ``NoValidHost`` with per-filter counts when nothing fits.

The package is **pure**: it gets plain dataclasses from its caller (the operator's handlers turn
Nodes, Servers and Aggregates into ``NodeInfo``/``PlacedServer``/``AggregateInfo``) and returns a
chosen ``HostState``. It must not import the Kubernetes client, kopf, ``kubenova.k8s`` or
``kubenova.handlers``, and must do no I/O, so every decision is reproducible in a unit test.
import-linter enforces this (``pyproject.toml``).
"""
