"""A typed subset of CDI's ``cdi.kubevirt.io/v1beta1`` DataVolume, as KubeVirt embeds it in a VM's
``spec.dataVolumeTemplates`` and as CDI reports it.

Only the fields kubenova and the simulator use are modelled; unknown fields are kept on read.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from kubenova.kubevirt.api_meta import Condition, KubeVirtModel, ObjectMeta

CDI_GROUP = "cdi.kubevirt.io"
CDI_VERSION = "v1beta1"
CDI_API_VERSION = f"{CDI_GROUP}/{CDI_VERSION}"
DATA_VOLUME_KIND = "DataVolume"
DATA_VOLUME_PLURAL = "datavolumes"


class DataVolumePhase(StrEnum):
    """CDI's DataVolume phases (the ones the simulator walks, and the outcomes)."""

    UNSET = ""
    PENDING = "Pending"
    PVC_BOUND = "PVCBound"
    IMPORT_SCHEDULED = "ImportScheduled"
    IMPORT_IN_PROGRESS = "ImportInProgress"
    CLONE_SCHEDULED = "CloneScheduled"
    CLONE_IN_PROGRESS = "CloneInProgress"
    EXPANSION_IN_PROGRESS = "ExpansionInProgress"
    WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"
    PENDING_POPULATION = "PendingPopulation"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    UNKNOWN = "Unknown"


# DataVolume condition types (CDI's DataVolumeReady / DataVolumeBound / DataVolumeRunning).
READY, BOUND, RUNNING = "Ready", "Bound", "Running"


class HttpSource(KubeVirtModel):
    url: str
    secret_ref: str | None = None
    cert_config_map: str | None = None


class RegistrySource(KubeVirtModel):
    url: str | None = None
    """``docker://<image>`` (or ``oci-archive://``)."""
    pull_method: str | None = None
    secret_ref: str | None = None
    cert_config_map: str | None = None


class PvcSource(KubeVirtModel):
    namespace: str
    name: str


class BlankSource(KubeVirtModel):
    pass


class DataVolumeSource(KubeVirtModel):
    """Where the data comes from: exactly one of the modelled sources (CDI's is a one-of)."""

    http: HttpSource | None = None
    registry: RegistrySource | None = None
    pvc: PvcSource | None = None
    blank: BlankSource | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DataVolumeSource:
        known = [self.http, self.registry, self.pvc, self.blank]
        if sum(s is not None for s in known) > 1:
            raise ValueError("a DataVolume source has exactly one of http, registry, pvc, blank")
        return self

    @property
    def kind(self) -> str:
        """ "http", "registry", "pvc", "blank", or "other" (a source the subset does not model)."""
        for name in ("http", "registry", "pvc", "blank"):
            if getattr(self, name) is not None:
                return name
        return "other"


class StorageResources(KubeVirtModel):
    requests: dict[str, str] = Field(default_factory=dict)
    limits: dict[str, str] | None = None


class StorageSpec(KubeVirtModel):
    """``spec.storage``: CDI fills in what is left out from the StorageClass (access and volume mode)."""

    access_modes: list[str] | None = None
    """Left out, CDI takes them (and the volume mode) from the StorageClass's StorageProfile."""
    resources: StorageResources = Field(default_factory=StorageResources)
    storage_class_name: str | None = None
    volume_mode: str | None = None

    @property
    def size(self) -> str | None:
        return self.resources.requests.get("storage")


class DataVolumeSpec(KubeVirtModel):
    source: DataVolumeSource | None = None
    storage: StorageSpec | None = None
    pvc: dict[str, object] | None = None
    """The older ``spec.pvc`` (a raw PersistentVolumeClaimSpec); kubenova writes ``storage``."""
    content_type: str | None = None


class DataVolumeStatus(KubeVirtModel):
    phase: str | None = None
    """A ``DataVolumePhase`` value; kept as text because CDI has more phases than the enum."""
    progress: str | None = None
    """``"N.N%"`` while importing or cloning, ``"N/A"`` when CDI cannot tell."""
    claim_name: str | None = None
    restart_count: int | None = None
    conditions: list[Condition] = Field(default_factory=list)

    def condition(self, kind: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == kind), None)


class DataVolume(KubeVirtModel):
    api_version: str = Field(default=CDI_API_VERSION, alias="apiVersion")
    kind: str = DATA_VOLUME_KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: DataVolumeSpec = Field(default_factory=DataVolumeSpec)
    status: DataVolumeStatus = Field(default_factory=DataVolumeStatus)


class DataVolumeTemplateSpec(KubeVirtModel):
    """An entry of a VM's ``spec.dataVolumeTemplates``: the DataVolume virt-controller creates."""

    api_version: str | None = Field(default=None, alias="apiVersion")
    kind: str | None = None
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: DataVolumeSpec = Field(default_factory=DataVolumeSpec)


def progress_value(progress: str | None) -> float | None:
    """``"45.5%"`` → 45.5; ``None`` when CDI reports no number (``N/A``, absent)."""
    if not progress or not progress.endswith("%"):
        return None
    try:
        return max(0.0, min(100.0, float(progress[:-1])))
    except ValueError:
        return None


def progress_percent(progress: str | None) -> int | None:
    """``"45.5%"`` → 45 (whole percent, as Nova's progress); ``None`` when CDI reports no number."""
    value = progress_value(progress)
    return None if value is None else int(value)
