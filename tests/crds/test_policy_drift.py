"""manifests/admission/server-policy.yaml must be what ``kubenova.crdgen.admission`` generates from
the Server spec model: a spec field added without ``make crds`` fails here, since the owner's
unlock would otherwise be allowed to change it unchecked."""

from __future__ import annotations

from pathlib import Path

import yaml

from kubenova.crdgen import admission

POLICY = Path(__file__).resolve().parents[2] / "manifests" / "admission" / "server-policy.yaml"


def test_committed_policy_matches_the_model() -> None:
    assert POLICY.read_text() == admission.render(), "server-policy.yaml is stale; run `make crds`"
    assert admission.main(["--check", str(POLICY)]) == 0


def test_every_spec_field_but_the_locks_is_compared() -> None:
    policy = next(
        doc for doc in yaml.safe_load_all(POLICY.read_text()) if doc["kind"] == "ValidatingAdmissionPolicy"
    )
    variables = {v["name"]: v["expression"] for v in policy["spec"]["variables"]}
    expression = variables["unchangedButLock"]
    for field in admission.spec_fields():
        compared = f"object.spec.{field} == oldObject.spec.{field}" in expression
        assert compared is (field not in admission.LOCK_FIELDS), field
    assert {"flavor", "powerState", "userData", "adminPassword", "locked"} <= set(admission.spec_fields())


def test_check_reports_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "server-policy.yaml"
    stale.write_text(POLICY.read_text().replace("object.spec.flavor == oldObject.spec.flavor", "true"))
    assert admission.main(["--check", str(stale)]) == 1
    assert admission.main([str(stale)]) == 0
    assert stale.read_text() == admission.render()
