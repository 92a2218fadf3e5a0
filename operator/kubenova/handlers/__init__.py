"""kopf handlers: one module (or, for Servers, one package) per watched kind, each thin.

A handler parses the body into a model, calls pure logic (``kubenova.scheduler``,
``kubenova.kubevirt.builder``, ``kubenova.status``) and writes the result; the I/O glue they
share (per-server locking, status writes, placement) lives in ``servers/`` next to them.

Importing ``kubenova.handlers.registry`` registers everything with kopf's default registry.
"""
