"""Parsed models kept for long (watch caches, indexes) share their sets of field names.

pydantic keeps, in every model instance, the set of the fields its input named
(``model_fields_set``, the ``__pydantic_fields_set__`` slot). A parsed Server is seven models
(metadata, spec, status, flavor, an address, an action, ...), and their seven sets were half of
its memory: 4.5 of its 8.9 KiB (tracemalloc; README "Operator memory"), 44 MiB for 10,000 cached
Servers. Servers parsed from the same kind of body name the same fields, so ``share`` gives every
model of a parsed tree one set per (class, field names), shared with every other model that has
the same. Nothing read changes: ``model_fields_set``, ``model_dump(exclude_unset=True)``,
equality, ``model_copy`` (which takes a private copy) behave as before.

A shared set cannot be changed: assigning a field of a shared model raises ``TypeError`` (pydantic
stores the value first, so that model does change, but the set every other model shares does not).
Cached models are read-only anyway: handlers and services change a copy (``model_copy``) and write
a patch; the error makes one that does not fail loudly. ``share`` sets pydantic's
``__pydantic_fields_set__`` slot, as ``model_construct(_fields_set=...)`` does, on models already
validated; ``tests/unit/resources/test_fields_sets.py`` pins what it relies on (dumps, equality,
copies, assignment refused), so a pydantic upgrade that changes it fails there.
"""

from __future__ import annotations

import typing
from typing import Any, NoReturn, TypeVar

import pydantic

_M = TypeVar("_M", bound=pydantic.BaseModel)
_SLOT = "__pydantic_fields_set__"
LIMIT = 4096
"""Distinct sets kept at most; past it, models keep their own (the shapes of bodies are few, but
a model that takes unknown fields as extras could name any)."""


class SharedFieldNames(set[str]):
    """A set of field names shared by many models: reads as a set, refuses changes, copies to a
    private (plain) set."""

    __slots__ = ()

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        raise TypeError("this model's field names are shared with other cached models: change a model_copy()")

    add = discard = remove = pop = clear = update = _refuse
    difference_update = intersection_update = symmetric_difference_update = _refuse
    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> set[str]:
        return set(self)


_pool: dict[tuple[type, frozenset[str]], SharedFieldNames] = {}


def _shared(model: pydantic.BaseModel) -> None:
    names = getattr(model, _SLOT)
    if type(names) is SharedFieldNames:
        return
    key = (type(model), frozenset(names))
    found = _pool.get(key)
    if found is None:
        if len(_pool) >= LIMIT:
            return
        found = _pool[key] = SharedFieldNames(names)
    object.__setattr__(model, _SLOT, found)


def share(model: _M) -> _M:
    """``model`` (not copied) with every model in it sharing its field names' set."""
    pending: list[Any] = [model]
    while pending:
        value = pending.pop()
        if isinstance(value, pydantic.BaseModel):
            _shared(value)
            found = value.__dict__
            pending.extend(found[name] for name in _nesting(type(value)) if found.get(name) is not None)
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list | tuple):
            pending.extend(value)
    return model


_nesting_fields: dict[type, tuple[str, ...]] = {}


def _nesting(cls: type[pydantic.BaseModel]) -> tuple[str, ...]:
    """The fields of ``cls`` whose type may hold a model (extras never do: pydantic keeps them as
    the input gave them)."""
    found = _nesting_fields.get(cls)
    if found is None:
        fields = cls.model_fields.items()
        found = _nesting_fields[cls] = tuple(name for name, f in fields if _may_hold_model(f.annotation))
    return found


def _may_hold_model(annotation: Any) -> bool:
    if annotation is Any or annotation is object:
        return True
    args = typing.get_args(annotation)
    if args:  # list[X], dict[str, list[X]], X | None, Annotated[X, ...], Literal[...]
        return any(_may_hold_model(arg) for arg in args)
    return isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel)


def pooled() -> int:
    """How many distinct sets are shared (for tests)."""
    return len(_pool)
