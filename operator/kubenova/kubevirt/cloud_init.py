"""Pure: the user data a guest gets, with the server's SSH key injected for cloud-init.

* no key: the user data exactly as given (Nova's behaviour), or an empty ``#cloud-config``;
* no user data: a ``#cloud-config`` with ``ssh_authorized_keys``;
* user data that is a ``#cloud-config`` mapping: the key is appended to its
  ``ssh_authorized_keys`` (the document is re-serialised, so comments are lost);
* any other user data (scripts, boothooks, includes, gzip of those): a MIME multipart of our
  cloud-config part and the user's part (``text/plain``, which cloud-init type-detects).

Deterministic (the MIME boundary is a digest), so a re-run builds the same VM body.
"""

from __future__ import annotations

import gzip
import hashlib
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any

import yaml

CLOUD_CONFIG_HEADER = "#cloud-config"


def compose_user_data(user_data: bytes | None, ssh_key: str | None) -> bytes:
    """The user data the guest gets: the user's, with ``ssh_key`` injected (see module docstring)."""
    if ssh_key is None:
        return user_data if user_data is not None else f"{CLOUD_CONFIG_HEADER}\n{{}}\n".encode()
    if user_data is None or not user_data.strip():
        return _dump_cloud_config({"ssh_authorized_keys": [ssh_key]})
    if user_data[:2] == b"\x1f\x8b":  # gzip: cloud-init would unpack it, so can we
        try:
            user_data = gzip.decompress(user_data)
        except (OSError, EOFError):
            return user_data  # not really gzip: pass through untouched, key not injected
    try:
        text = user_data.decode("utf-8")
    except UnicodeDecodeError:
        return user_data
    if text.lstrip().startswith(CLOUD_CONFIG_HEADER):
        merged = _merge_key(text, ssh_key)
        if merged is not None:
            return merged
    return _multipart(ssh_key, text)


def _merge_key(text: str, ssh_key: str) -> bytes | None:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        return None
    keys = document.get("ssh_authorized_keys")
    if keys is None:
        keys = []
    if not isinstance(keys, list):
        return None
    if ssh_key not in keys:
        keys = [*keys, ssh_key]
    document["ssh_authorized_keys"] = keys
    return _dump_cloud_config(document)


def _dump_cloud_config(document: dict[str, Any]) -> bytes:
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=False)
    return f"{CLOUD_CONFIG_HEADER}\n{body}".encode()


def _multipart(ssh_key: str, user_text: str) -> bytes:
    ours = _dump_cloud_config({"ssh_authorized_keys": [ssh_key]}).decode()
    # A deterministic boundary keeps the VM body identical across re-runs.
    digest = hashlib.sha256((ours + user_text).encode()).hexdigest()[:32]
    message = MIMEMultipart("mixed", boundary=f"==kubenova-{digest}==")
    message.attach(_text_part(ours, "cloud-config"))
    message.attach(_text_part(user_text, "plain"))
    return message.as_bytes()


def _text_part(text: str, subtype: str) -> MIMEText:
    # ASCII stays readable in the VM spec (7bit); anything else is base64-encoded UTF-8.
    return MIMEText(text, subtype, "us-ascii" if text.isascii() else "utf-8")
