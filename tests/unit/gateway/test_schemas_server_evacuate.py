"""The evacuate body against Nova's ``schemas/evacuate.py`` per microversion: ``onSharedStorage``
required before 2.14 and refused from 2.14, ``force`` from 2.29 to 2.67 (and only with a host),
``host`` a hostname, ``adminPass`` a string, nothing else."""

from __future__ import annotations

import pytest

from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.server_evacuate import Evacuate, parse_evacuate


def v(text: str) -> APIVersion:
    major, minor = text.split(".")
    return APIVersion(int(major), int(minor))


def test_accepted_bodies_per_version() -> None:
    body = {"evacuate": {"host": "n2", "onSharedStorage": "True", "adminPass": "pw"}}
    assert parse_evacuate(body, v("2.13")) == Evacuate("n2", "pw", on_shared_storage=True)
    assert parse_evacuate({"evacuate": {}}, v("2.14")) == Evacuate(None, None)
    assert parse_evacuate({"evacuate": {"host": "n2", "force": True}}, v("2.29")) == Evacuate(
        "n2", None, force=True
    )
    assert parse_evacuate({"evacuate": {"host": "n2"}}, v("2.95")) == Evacuate("n2", None)


@pytest.mark.parametrize(
    ("body", "version"),
    [
        ({"evacuate": {}}, "2.1"),  # onSharedStorage required
        ({"evacuate": {"onSharedStorage": False}}, "2.14"),
        ({"evacuate": {"host": "n2", "force": True}}, "2.28"),
        ({"evacuate": {"host": "n2", "force": True}}, "2.68"),
        ({"evacuate": {"host": None}}, "2.95"),
        ({"evacuate": {"host": "a b"}}, "2.95"),
        ({"evacuate": {"adminPass": 1}}, "2.95"),
        ({"evacuate": {"force": "maybe", "host": "n2"}}, "2.29"),
        ({"evacuate": None}, "2.95"),
        ({}, "2.95"),
        ({"evacuate": {}, "other": 1}, "2.95"),
    ],
)
def test_refused_bodies(body: object, version: str) -> None:
    with pytest.raises(errors.BadRequestError):
        parse_evacuate(body, v(version))


def test_force_needs_a_host() -> None:
    with pytest.raises(errors.BadRequestError, match="Can't force to a non-provided destination"):
        parse_evacuate({"evacuate": {"force": True}}, v("2.29"))
