"""Write the CRD files for every kubenova kind, or report how the files on disk differ.

The in-memory rendering (:func:`render_all`) is the single truth both modes share, so ``--check`` can
never disagree with what ``make crds`` would write.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from kubenova.crdgen.crd import crd_for
from kubenova.crdgen.render import FILE_PREFIX, HEADER, file_name, to_yaml
from kubenova.resources import ALL, CustomResource


def render_all(models: Iterable[type[CustomResource]] = ALL) -> dict[str, str]:
    """File name -> YAML text for each model, in a stable order."""
    return {file_name(model): to_yaml(crd_for(model), model) for model in models}


def write(directory: Path, rendered: dict[str, str] | None = None) -> list[Path]:
    """Write the rendered files and delete stale generated ones; return the paths changed."""
    rendered = render_all() if rendered is None else rendered
    directory.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    for name, text in rendered.items():
        path = directory / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    for path in _stale(directory, rendered):
        path.unlink()
        changed.append(path)
    return changed


def diff(directory: Path, rendered: dict[str, str] | None = None) -> str:
    """A unified diff turning the files in ``directory`` into the rendered ones; empty when in sync."""
    rendered = render_all() if rendered is None else rendered
    chunks: list[str] = []
    for name, text in rendered.items():
        path = directory / name
        current = path.read_text() if path.exists() else ""
        chunks.extend(_unified(current, text, path, exists=path.exists()))
    for path in _stale(directory, rendered):
        chunks.extend(_unified(path.read_text(), "", path, exists=True))
    return "".join(chunks)


def _stale(directory: Path, rendered: dict[str, str]) -> list[Path]:
    """Generated files (recognised by prefix and header) for kinds that no longer exist."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.glob(f"{FILE_PREFIX}*.yaml")
        if path.name not in rendered and path.read_text().startswith(HEADER)
    )


def _unified(current: str, wanted: str, path: Path, *, exists: bool) -> list[str]:
    lines = difflib.unified_diff(
        current.splitlines(keepends=True),
        wanted.splitlines(keepends=True),
        fromfile=str(path) if exists else "/dev/null",
        tofile=str(path) if wanted else "/dev/null",
    )
    return [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
