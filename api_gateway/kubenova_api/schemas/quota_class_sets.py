"""Quota class update bodies (Nova's ``schemas/quota_classes.py``): ``{"quota_class_set": {...}}``
with the quota set's value type per resource and no ``force``. The resources shrink as Nova's
did for classes: the network ones go at 2.50, the personality ones at 2.57."""

from __future__ import annotations

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.quota_sets import Limit
from kubenova_api.schemas.validation import StrictBody, parse_body


class QuotaClassSetV257(StrictBody):
    instances: Limit = None
    cores: Limit = None
    ram: Limit = None
    key_pairs: Limit = None
    metadata_items: Limit = None
    server_groups: Limit = None
    server_group_members: Limit = None

    def limits(self) -> dict[str, int]:
        """The limits the body sets (by resource name)."""
        return {
            name: value
            for name, value in self.model_dump().items()
            if name in self.model_fields_set and value is not None
        }


class QuotaClassSetV250(QuotaClassSetV257):
    injected_files: Limit = None
    injected_file_content_bytes: Limit = None
    injected_file_path_bytes: Limit = None


class QuotaClassSetV21(QuotaClassSetV250):
    fixed_ips: Limit = None
    floating_ips: Limit = None
    security_groups: Limit = None
    security_group_rules: Limit = None


class QuotaClassUpdateV257(StrictBody):
    quota_class_set: QuotaClassSetV257


class QuotaClassUpdateV250(StrictBody):
    quota_class_set: QuotaClassSetV250


class QuotaClassUpdateV21(StrictBody):
    quota_class_set: QuotaClassSetV21


def parse_update(body: object, version: APIVersion) -> QuotaClassSetV257:
    if version >= "2.57":
        return parse_body(QuotaClassUpdateV257, body).quota_class_set
    if version >= "2.50":
        return parse_body(QuotaClassUpdateV250, body).quota_class_set
    return parse_body(QuotaClassUpdateV21, body).quota_class_set
