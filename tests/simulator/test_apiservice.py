"""The simulator's APIService registration: a start without the subresource API removes one that
a killed run left behind (ours only), and says nothing where RBAC does not let it look."""

from __future__ import annotations

from typing import Any, cast

from kubenova import k8s
from kubevirt_simulator import apiservice


class FakeClient:
    """What ``apiservice`` calls of a ``k8s.Transport``: get and delete."""

    def __init__(self, objects: dict[str, dict[str, Any]], *, forbidden: bool = False) -> None:
        self.objects = objects
        self.forbidden = forbidden
        self.deleted: list[str] = []

    def get(self, resource: k8s.Kind, name: str, namespace: str | None = None) -> dict[str, Any]:
        if self.forbidden:
            raise k8s.Forbidden(403, "Forbidden", "no RBAC")
        if name not in self.objects:
            raise k8s.NotFound(404, "NotFound", name)
        return self.objects[name]

    def delete(self, resource: k8s.Kind, name: str, namespace: str | None = None, **_: Any) -> None:
        self.deleted.append(name)
        del self.objects[name]


def ours() -> dict[str, Any]:
    return {"metadata": {"annotations": {apiservice.OWNER_ANNOTATION: "kubevirt-simulator"}}}


def test_a_stale_registration_of_ours_is_removed() -> None:
    fake = FakeClient({apiservice.APISERVICE_NAME: ours(), apiservice.SERVICE_NAME: ours()})
    apiservice.remove_stale(cast(k8s.Transport, fake))
    assert fake.deleted == [apiservice.APISERVICE_NAME, apiservice.SERVICE_NAME]


def test_a_registration_of_real_kubevirt_is_left_alone() -> None:
    fake = FakeClient({apiservice.APISERVICE_NAME: {"metadata": {"annotations": {}}}})
    apiservice.remove_stale(cast(k8s.Transport, fake))
    assert fake.deleted == []
    assert apiservice.APISERVICE_NAME in fake.objects


def test_without_rbac_nothing_is_removed_and_nothing_is_logged(caplog: Any) -> None:
    fake = FakeClient({}, forbidden=True)
    apiservice.remove_stale(cast(k8s.Transport, fake))
    assert fake.deleted == []
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
