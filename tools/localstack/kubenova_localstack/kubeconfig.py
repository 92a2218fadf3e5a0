"""Self-contained kubeconfig files (certificates embedded, so the file alone is enough).

Written as JSON, which is valid YAML: kubectl, client-go and the Python client all read it, and this
package needs no YAML library.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def render_kubeconfig(
    *, server: str, ca_pem: bytes, user: str, cert_pem: bytes, key_pem: bytes, name: str = "kubenova"
) -> str:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": name, "cluster": {"server": server, "certificate-authority-data": _b64(ca_pem)}}
        ],
        "users": [
            {
                "name": user,
                "user": {"client-certificate-data": _b64(cert_pem), "client-key-data": _b64(key_pem)},
            }
        ],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user}}],
        "current-context": name,
        "preferences": {},
    }
    return json.dumps(config, indent=2) + "\n"


def write_kubeconfig(path: Path, content: str) -> Path:
    """Atomically write a kubeconfig readable by the owner only (it holds a private key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    tmp.replace(path)
    return path
