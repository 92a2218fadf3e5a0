"""An Image's Glance status, and how Nova's image proxy API shows it (``views/images.py``).

Glance status: the stored one; an image of a server (property ``image_type`` snapshot or backup)
the operator has not taken up yet is ``queued``; any other image without a status is ``active``.
"""

from __future__ import annotations

from kubenova.resources.image import Image

_NOVA_STATUS = {
    "active": "ACTIVE",
    "queued": "SAVING",
    "saving": "SAVING",
    "deleted": "DELETED",
    "pending_delete": "DELETED",
    "killed": "ERROR",
}
_NOVA_PROGRESS = {"queued": 25, "saving": 50, "active": 100}


def glance_status(image: Image) -> str:
    if image.status.status:
        return image.status.status
    return "queued" if image.spec.properties.get("image_type") in ("snapshot", "backup") else "active"


def nova_status(glance: str) -> str:
    """Nova's image ``status`` for a Glance status (UNKNOWN for one Nova has no name for, e.g.
    ``deactivated``)."""
    return _NOVA_STATUS.get(glance, "UNKNOWN")


def nova_progress(glance: str) -> int:
    return _NOVA_PROGRESS.get(glance, 0)
