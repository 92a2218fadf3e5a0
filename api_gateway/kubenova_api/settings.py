"""Gateway configuration, read from ``KUBENOVA_API_*`` environment variables.

Built once by ``__main__`` (or a test) and passed to ``create_app``; nothing reads the
environment at import time, so tests can build isolated apps side by side.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kubenova.domain.quotas import NOVA_DEFAULTS


class QuotaDefaults(BaseModel):
    """Nova's default per-project quotas (-1 = unlimited), used by limits and quota APIs."""

    instances: int = NOVA_DEFAULTS["instances"]
    cores: int = NOVA_DEFAULTS["cores"]
    ram: int = NOVA_DEFAULTS["ram"]
    key_pairs: int = 100
    metadata_items: int = 128
    server_groups: int = 10
    server_group_members: int = 10


class Settings(BaseSettings):
    """Everything the gateway needs to know that is not stored in Kubernetes."""

    model_config = SettingsConfigDict(env_prefix="KUBENOVA_API_", env_nested_delimiter="__")

    public_url: str | None = Field(
        default=None,
        description="Base URL clients reach the gateway at (e.g. https://cloud.example/). "
        "Unset: built per request from the Host header (and X-Forwarded-* with trust_proxy_headers).",
    )
    region: str = Field(default="RegionOne", description="Region published in the service catalog.")
    token_ttl_seconds: int = Field(
        default=3600, ge=300, description="Token lifetime; keystoneauth renews tokens 120 s before expiry."
    )
    identity_namespace: str = Field(
        default="kubenova-system", description="Namespace of the identity, token-key and revocation Secrets."
    )
    identity_secret: str = Field(default="kubenova-identity", description="Secret holding identity.yaml.")
    token_key_secret: str = Field(default="kubenova-token-key", description="Secret holding the token keys.")
    revocation_secret: str = Field(
        default="kubenova-token-revocations",
        description="Secret of revoked token audit ids written by older gateways (read only).",
    )
    max_limit: int = Field(
        default=1000, ge=1, description="Largest page a list call returns (Nova max_limit)."
    )
    image_namespace: str = Field(
        default="kubenova-images",
        description="Namespace of the PVCs holding images made of servers (createImage/createBackup).",
    )
    network_name: str = Field(
        default="private", description="Name of the one Neutron network; equals the server address label."
    )
    quotas: QuotaDefaults = Field(default_factory=QuotaDefaults)
    default_availability_zone: str = Field(
        default="nova",
        min_length=1,
        description="Zone of hosts in no zoned aggregate; must equal the operator's "
        "KUBENOVA_DEFAULT_AVAILABILITY_ZONE.",
    )
    compute_node_selector: str = Field(
        default="",
        description="Label selector of the Nodes that are compute hosts (empty: every Node); must "
        "equal the operator's KUBENOVA_COMPUTE_NODE_SELECTOR.",
    )
    reclaim_instance_interval_seconds: float = Field(
        default=0,
        ge=0,
        description="Nova's reclaim_instance_interval: above 0, DELETE /servers/{id} soft-deletes a "
        "launched server (restore/forceDelete possible until the operator reclaims it); 0: deletes at "
        "once. Must equal the operator's KUBENOVA_RECLAIM_INSTANCE_INTERVAL_SECONDS.",
    )
    kubeconfig: str | None = Field(
        default=None, description="Kubeconfig path. Unset: $KUBECONFIG, then in-cluster configuration."
    )
    keep_alive_seconds: int = Field(
        default=75,
        description="How long an idle HTTP connection stays open. Clients poll every few seconds "
        "(`openstack server create --wait` every 5 s) on one keep-alive connection: a server that "
        "closes idle connections sooner races the next request and resets it.",
    )
    cache_sync_timeout_seconds: float = Field(
        default=60.0, description="How long startup waits for the watch caches to fill."
    )
    trust_proxy_headers: bool = Field(
        default=False,
        description="Build links from X-Forwarded-Proto/Host/Port/Prefix (set only behind a proxy "
        "that sets them). Off: links follow public_url, else the Host header, as Keystone does "
        "without proxy-header parsing.",
    )
    lockout_failure_attempts: int = Field(
        default=5,
        ge=0,
        description="Failed password logins in a row after which a user name is locked out for "
        "lockout_duration_seconds (counted in the cluster, across every gateway replica; 0: never).",
    )
    lockout_duration_seconds: float = Field(
        default=30.0, ge=0, description="How long a user name stays locked out."
    )
    aggregate_id_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        description="How long an aggregate create waits for the operator to allocate the id "
        "(status.id) before it answers 503 and undoes the create.",
    )
