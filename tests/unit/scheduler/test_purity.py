"""The scheduler stays pure: no module imports a cluster client, kopf, or the operator's I/O modules.

import-linter enforces the same rule in ``make lint``; this test keeps it visible next to the code
and fails fast in a plain ``pytest`` run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kubenova.scheduler

PACKAGE_DIR = Path(kubenova.scheduler.__file__).parent
FORBIDDEN = ("kubernetes", "kopf", "kubenova.k8s", "kubenova.handlers", "requests", "httpx", "aiohttp")
MODULES = sorted(PACKAGE_DIR.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE_DIR)) for p in MODULES])
def test_no_scheduler_module_imports_a_client_or_kopf(path: Path) -> None:
    bad = {
        name
        for name in imported_modules(path)
        if any(name == forbidden or name.startswith(forbidden + ".") for forbidden in FORBIDDEN)
    }
    assert bad == set()
