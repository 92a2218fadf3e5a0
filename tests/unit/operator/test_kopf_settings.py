"""kopf is told not to extract the essence of every watched object (``startup.NoDiffBase``): safe
only while no handler asks kopf what changed (``on.create``/``on.update``/``on.field``/
``on.delete``/``on.resume``)."""

from __future__ import annotations

import kopf

import kubenova.handlers.registry  # noqa: F401  (registers every handler)
from kubenova.handlers.startup import NoDiffBase


def test_no_handler_needs_the_last_handled_configuration() -> None:
    registry = kopf.get_default_registry()
    assert registry._changing.get_all_handlers() == []
    assert registry._watching.get_all_handlers()  # the event handlers are registered


def test_no_essence_is_extracted_or_stored() -> None:
    storage = NoDiffBase()
    body = kopf.Body({"metadata": {"name": "web-1"}, "spec": {"flavor": "m1.tiny"}})
    assert storage.build(body=body) == {}
    assert storage.fetch(body=body) is None
