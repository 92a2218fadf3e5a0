"""kopf handlers and indexes: one module (or, for Servers, one package) per watched kind, each thin.

Every handler is level-triggered (``kopf.on.event``): it looks at the freshest copies the cluster
view has (``cluster_view``, fed by kopf's indexes in ``indexes`` and by the operator's own writes),
calls pure logic (``kubenova.status``, ``kubenova.scheduler``, ``kubenova.kubevirt.builder``,
``kubenova.domain``) and writes only the difference. The I/O glue Servers share (per-server
locking, status writes, the placement ledger) lives in ``servers/`` next to them.

Importing ``kubenova.handlers.registry`` registers everything with kopf's default registry.
"""
