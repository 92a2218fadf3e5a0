"""The Glance status of an Image and Nova's image status/progress for it."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.domain import image_status
from kubenova.resources import Image
from kubenova.resources.base import API_VERSION


def _image(properties: dict[str, str] | None = None, status: str | None = None) -> Image:
    body: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "Image",
        "metadata": {"name": "img", "uid": "u"},
        "spec": {"containerDisk": {"image": "quay.io/x:1"}, "properties": properties or {}},
        "status": {"status": status} if status else {},
    }
    return Image.model_validate(body)


def test_glance_status() -> None:
    assert image_status.glance_status(_image()) == "active"
    assert image_status.glance_status(_image({"image_type": "snapshot"})) == "queued"
    assert image_status.glance_status(_image({"image_type": "backup"})) == "queued"
    assert image_status.glance_status(_image({"image_type": "snapshot"}, "saving")) == "saving"
    assert image_status.glance_status(_image(status="deactivated")) == "deactivated"


@pytest.mark.parametrize(
    ("glance", "status", "progress"),
    [
        ("queued", "SAVING", 25),
        ("saving", "SAVING", 50),
        ("active", "ACTIVE", 100),
        ("killed", "ERROR", 0),
        ("deleted", "DELETED", 0),
        ("pending_delete", "DELETED", 0),
        ("deactivated", "UNKNOWN", 0),
    ],
)
def test_nova_status_and_progress(glance: str, status: str, progress: int) -> None:
    assert image_status.nova_status(glance) == status
    assert image_status.nova_progress(glance) == progress
