"""crds/ must be exactly what the models generate: a model change without ``make crds`` fails here."""

from __future__ import annotations

from pathlib import Path

from kubenova.crdgen import diff, render_all

CRDS = Path(__file__).resolve().parents[2] / "crds"


def test_committed_crds_match_the_models() -> None:
    delta = diff(CRDS)
    assert delta == "", f"crds/ is out of date; run `make crds`:\n{delta}"


def test_crds_directory_holds_one_file_per_kind_and_nothing_else() -> None:
    assert sorted(path.name for path in CRDS.glob("*.yaml")) == sorted(render_all())
