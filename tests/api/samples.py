"""Golden JSON samples under ``tests/api/samples/<resource>/<version>/<name>.json``.

Volatile values (the gateway's host and port, UUIDs, timestamps, request-specific ids) are
normalised before comparing. ``KUBENOVA_UPDATE_SAMPLES=1`` rewrites the files from the
responses instead of comparing (review the diff before committing it).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).parent / "samples"
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_HEX32 = re.compile(r"\b[0-9a-f]{32}\b")
_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?\b")


def normalise(body: Any, base_url: str) -> Any:
    text = json.dumps(body, sort_keys=True)
    text = text.replace(base_url, "http://gateway")
    text = _UUID.sub("<uuid>", text)
    text = _HEX32.sub("<id>", text)
    text = _TIME.sub("<time>", text)
    return json.loads(text)


def assert_sample(resource: str, version: str, name: str, body: Any, *, base_url: str) -> None:
    path = SAMPLES / resource / f"v{version}" / f"{name}.json"
    actual = normalise(body, base_url)
    if os.environ.get("KUBENOVA_UPDATE_SAMPLES") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, indent=4, sort_keys=True) + "\n")
        return
    assert path.exists(), f"missing sample {path}; run with KUBENOVA_UPDATE_SAMPLES=1 to create it"
    expected = json.loads(path.read_text())
    assert actual == expected, (
        f"{path.relative_to(SAMPLES)} differs:\n{json.dumps(actual, indent=2, sort_keys=True)}"
    )
