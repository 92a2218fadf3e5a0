"""Nova API microversions: the supported range, header negotiation and the change history.

A request names its version in ``OpenStack-API-Version: compute X.Y`` (since 2.27) or the
legacy ``X-OpenStack-Nova-API-Version: X.Y``; without either it gets 2.1, Nova's default.
Everything version-dependent compares against an ``APIVersion`` resolved once per request
(``kubenova_api.middleware`` does it and ``deps.Version`` hands it to handlers).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

SERVICE = "compute"
NEW_HEADER = "OpenStack-API-Version"
LEGACY_HEADER = "X-OpenStack-Nova-API-Version"
VARY = f"{NEW_HEADER}, {LEGACY_HEADER}"

_FORMAT = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


class InvalidVersionStringError(ValueError):
    """The header is not ``MajorNum.MinorNum`` (400)."""

    def __init__(self, raw: str) -> None:
        super().__init__(
            f"API Version String {raw} is of invalid format. Must be of format MajorNum.MinorNum."
        )


class VersionNotSupportedError(ValueError):
    """The version is outside ``[MIN, MAX]`` (406)."""

    def __init__(self, version: APIVersion) -> None:
        super().__init__(
            f"Version {version} is not supported by the API. "
            f"Minimum is {MIN_VERSION} and maximum is {MAX_VERSION}."
        )


_HUGE = 10**9


def _number(digits: str) -> int:
    """A version part; anything longer than 9 digits is simply beyond every version (406), and
    never reaches ``int`` (whose 4,300-digit limit would raise)."""
    return int(digits) if len(digits) <= 9 else _HUGE


@dataclass(frozen=True, eq=False)
class APIVersion:
    """A compute microversion; compares with another ``APIVersion`` or a ``"X.Y"`` string."""

    major: int
    minor: int

    @classmethod
    def parse(cls, raw: str) -> APIVersion:
        match = _FORMAT.match(raw)
        if match is None:
            raise InvalidVersionStringError(raw)
        return cls(_number(match.group(1)), _number(match.group(2)))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def _key(self) -> tuple[int, int]:
        return (self.major, self.minor)

    @staticmethod
    def _coerce(other: object) -> APIVersion | None:
        if isinstance(other, APIVersion):
            return other
        if isinstance(other, str):
            return _parsed_literal(other)
        return None

    def __eq__(self, other: object) -> bool:
        coerced = self._coerce(other)
        return coerced is not None and self._key() == coerced._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # All four spelled out (``total_ordering`` derives them through two calls each): the views
    # compare the request's version a dozen times per server they render.
    def __lt__(self, other: APIVersion | str) -> bool:
        coerced = self._coerce(other)
        if coerced is None:
            return NotImplemented
        return self._key() < coerced._key()

    def __le__(self, other: APIVersion | str) -> bool:
        coerced = self._coerce(other)
        if coerced is None:
            return NotImplemented
        return self._key() <= coerced._key()

    def __gt__(self, other: APIVersion | str) -> bool:
        coerced = self._coerce(other)
        if coerced is None:
            return NotImplemented
        return self._key() > coerced._key()

    def __ge__(self, other: APIVersion | str) -> bool:
        coerced = self._coerce(other)
        if coerced is None:
            return NotImplemented
        return self._key() >= coerced._key()

    def between(self, low: APIVersion | str, high: APIVersion | str) -> bool:
        """Whether ``low <= self <= high`` (both inclusive, as Nova's ranges are)."""
        return low <= self <= high


@functools.lru_cache(maxsize=256)
def _parsed_literal(raw: str) -> APIVersion:
    """``APIVersion.parse`` of the ``"X.Y"`` strings versions are compared with (the views compare
    with a dozen literals per server: parsed once, not per item of a 1,000-server list)."""
    return APIVersion.parse(raw)


MIN_VERSION = APIVersion(2, 1)
# Nova master's maximum (2026.1 Gazpacho ends at 2.103).
MAX_VERSION = APIVersion(2, 104)
DEFAULT_VERSION = MIN_VERSION


def requested_version_string(headers: Mapping[str, str]) -> str | None:
    """The raw version a request asks for, or None when it names none.

    The new header may list several services (``compute 2.61, image 2.5``); the last compute
    entry wins. The legacy header is consulted only when the new one has no compute entry.
    """
    chosen: str | None = None
    for entry in headers.get(NEW_HEADER.lower(), "").split(","):
        parts = entry.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() == SERVICE:
            chosen = parts[1].strip()
    if chosen is None:
        legacy = headers.get(LEGACY_HEADER.lower())
        chosen = legacy.strip() if legacy is not None else None
    return chosen


def negotiate(headers: Mapping[str, str]) -> APIVersion:
    """The version a request gets: default, ``latest`` (= MAX), or the one asked for if in range."""
    raw = requested_version_string(headers)
    if raw is None:
        return DEFAULT_VERSION
    if raw == "latest":
        return MAX_VERSION
    version = APIVersion.parse(raw)
    if not version.between(MIN_VERSION, MAX_VERSION):
        raise VersionNotSupportedError(version)
    return version


def response_headers(version: APIVersion) -> dict[str, str]:
    """Headers every versioned compute response carries, errors included."""
    return {NEW_HEADER: f"{SERVICE} {version}", LEGACY_HEADER: str(version), "Vary": VARY}


# One line per microversion, as Nova keeps it; "(kubenova: ...)" notes where we differ or skip.
HISTORY: dict[str, str] = {
    "2.1": "Initial version, equivalent to v2.0 with strict input validation.",
    "2.2": "Keypair type (ssh/x509); keypair create answers 201, delete 204.",
    "2.3": "More os-extended-server-attributes; delete_on_termination in volumes_attached.",
    "2.4": "reserved in os-fixed-ips (kubenova: no fixed-ip proxy).",
    "2.5": "ip6 server list filter for non-admins.",
    "2.6": "Consolidated remote-consoles API.",
    "2.7": "addTenantAccess to a public flavor answers 409.",
    "2.8": "MKS console protocol.",
    "2.9": "locked in server details.",
    "2.10": "Admins may list, create and delete keypairs of any user (user_id).",
    "2.11": "forced_down in os-services.",
    "2.12": "VIF net_id in os-virtual-interfaces.",
    "2.13": "project_id/user_id in server groups.",
    "2.14": "evacuate: onSharedStorage and adminPass removed.",
    "2.15": "soft-affinity and soft-anti-affinity server group policies.",
    "2.16": "host_status in server details.",
    "2.17": "trigger_crash_dump server action.",
    "2.18": "project_id optional in URLs.",
    "2.19": "Server description.",
    "2.20": "Volume attach/detach for shelved_offloaded servers.",
    "2.21": "Instance actions readable for deleted servers.",
    "2.22": "Force-complete a live migration.",
    "2.23": "Server migrations index/show; migration_type in os-migrations.",
    "2.24": "Abort a running live migration.",
    "2.25": "os-migrateLive block_migration 'auto'; disk_over_commit removed.",
    "2.26": "Server tags.",
    "2.27": "OpenStack-API-Version header.",
    "2.28": "Hypervisor cpu_info as an object.",
    "2.29": "evacuate force flag; host checked by the scheduler.",
    "2.30": "os-migrateLive force flag; host checked by the scheduler.",
    "2.31": "os-console-auth-tokens for all console types.",
    "2.32": "Device tags for networks and block devices at boot.",
    "2.33": "Hypervisor pagination.",
    "2.34": "Asynchronous live-migration pre-checks.",
    "2.35": "Keypair pagination (limit/marker).",
    "2.36": "Proxy APIs (networks, images, ...) deprecated: 404 from here on.",
    "2.37": "networks required on create: 'auto', 'none' or a list.",
    "2.38": "Invalid status filter in server list answers 400.",
    "2.39": "image-metadata proxy deprecated.",
    "2.40": "Simple tenant usage pagination.",
    "2.41": "uuid in aggregates.",
    "2.42": "Device tags at boot re-introduced.",
    "2.43": "os-hosts deprecated.",
    "2.44": "addFixedIp/removeFixedIp/addFloatingIp/removeFloatingIp/os-virtual-interfaces deprecated.",
    "2.45": "createImage/createBackup return {'image_id'} instead of a Location header.",
    "2.46": "X-OpenStack-Request-ID on responses (kubenova: always sent).",
    "2.47": "Server flavor embedded as a dict.",
    "2.48": "Standardised server diagnostics.",
    "2.49": "Tagged attach of interfaces and volumes.",
    "2.50": "server_groups quotas in os-quota-class-sets; network quotas dropped there.",
    "2.51": "volume-extended external event; non-admins see action event details.",
    "2.52": "Tags on server create.",
    "2.53": "Services and hypervisors identified by UUID.",
    "2.54": "key_name on rebuild.",
    "2.55": "Flavor description (GET/POST/PUT flavors).",
    "2.56": "host in the cold migrate body.",
    "2.57": "personality deprecated; user_data on rebuild.",
    "2.58": "Instance actions pagination and changes-since.",
    "2.59": "os-migrations pagination, changes-since and uuid.",
    "2.60": "Multiattach volumes.",
    "2.61": "Flavor extra_specs in the flavor representation.",
    "2.62": "host and hostId in instance action events.",
    "2.63": "Trusted image certificates.",
    "2.64": "Server group policy/rules replace policies/metadata.",
    "2.65": "Abort queued/preparing live migrations.",
    "2.66": "changes-before filter.",
    "2.67": "volume_type in block_device_mapping_v2.",
    "2.68": "Forced live migration and evacuate removed.",
    "2.69": "Minimal constructs during infrastructure failures.",
    "2.70": "Device tags in os-volume_attachments and os-interface.",
    "2.71": "server_groups in server show/update/rebuild.",
    "2.72": "Neutron ports with resource requests on create.",
    "2.73": "Lock reason; locked filter/sort.",
    "2.74": "host/hypervisor_hostname on server create.",
    "2.75": "API cleanup: unknown query params 400 (servers), consistent server views, flavor swap 0.",
    "2.76": "power-update external event.",
    "2.77": "availability_zone on unshelve.",
    "2.78": "Server NUMA topology.",
    "2.79": "delete_on_termination for volume attachments.",
    "2.80": "user_id/project_id in os-migrations.",
    "2.81": "Aggregate image pre-caching.",
    "2.82": "accelerator-request-bound external event.",
    "2.83": "More server list filters for non-admins.",
    "2.84": "Instance action event details.",
    "2.85": "delete_on_termination update of volume attachments.",
    "2.86": "Flavor extra spec validation.",
    "2.87": "Stable device rescue for volume-backed servers.",
    "2.88": "Hypervisor API cleanup (statistics, search, servers, uptime).",
    "2.89": "attachment_id and bdm_uuid in volume attachments.",
    "2.90": "Configurable hostname on create/update/rebuild.",
    "2.91": "unshelve to a host; availability_zone null.",
    "2.92": "Keypair import only (public_key required); '@' and '.' allowed in names.",
    "2.93": "Rebuild of volume-backed servers.",
    "2.94": "FQDN hostnames.",
    "2.95": "Evacuate to STOPPED.",
    "2.96": "pinned_availability_zone in server show.",
    "2.97": "Manila shares.",
    "2.98": "Image properties in server show.",
    "2.99": "SPICE direct console.",
    "2.100": "scheduler_hints in server show.",
    "2.101": "Volume attach answers 202 (kubenova: no volume attachments, 404 at every version).",
    "2.102": "Flavor name filter; rxtx_factor and OS-FLV-DISABLED:disabled gone from flavors; unknown "
    "query parameters refused by the routes that still allowed them.",
    "2.103": "/os-volumes_boot removed (kubenova never served it: 404 at every version).",
    "2.104": "pinned_availability_zone in the server update (null unpins; re-pin to the current zone).",
}
