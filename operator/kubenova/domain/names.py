"""Names of the labels and annotations kubenova's components write and read.

Each name is written by one component (said next to it) and read by the others, so it is spelled
once, here.
"""

from __future__ import annotations

PREFIX = "compute.kubenova.io/"

# ----- Server annotations (written by the gateway at create or with a spec intent) -------------
REQUESTS_ANNOTATION = PREFIX + "requests"
"""The gateway's inbox of API requests (JSON list of {action, requestId, userId, startTime}) that the
operator records in ``status.actions`` (``domain.requests``)."""
RESERVATION_ID_ANNOTATION = PREFIX + "reservation-id"
RESERVATION_SIZE_ANNOTATION = PREFIX + "reservation-size"
"""How many Servers one multi-create wrote (on each of them, only when more than one): none of
them is built before all are seen (``status.reservations``), so a request is all or nothing."""
LAUNCH_INDEX_ANNOTATION = PREFIX + "launch-index"
HOSTNAME_ANNOTATION = PREFIX + "hostname"
ACCESS_IPV4_ANNOTATION = PREFIX + "access-ipv4"
ACCESS_IPV6_ANNOTATION = PREFIX + "access-ipv6"
DISK_CONFIG_ANNOTATION = PREFIX + "disk-config"
SCHEDULER_HINTS_ANNOTATION = PREFIX + "scheduler-hints"
LOCKED_BY_ANNOTATION = PREFIX + "locked-by"
CREATED_ANNOTATION = PREFIX + "created"
"""creationTimestamp has seconds only; Nova orders servers created in the same second by creation."""

# ----- VirtualMachine / VMI (written by the operator's VM builder) -------------------------------
SERVER_LABEL = PREFIX + "server"
SERVER_UID_ANNOTATION = PREFIX + "server-uid"
SERVER_NAMESPACE_LABEL = PREFIX + "server-namespace"
"""On a DataVolume outside its Server's namespace (a snapshot's clone): the Server's namespace."""
FLAVOR_ANNOTATION = PREFIX + "flavor-id"
IMAGE_ANNOTATION = PREFIX + "image-id"

# ----- Nodes -------------------------------------------------------------------------------------
AZ_LABEL = PREFIX + "availability-zone"
"""Written by the operator from Aggregates."""
AGGREGATE_LABEL_PREFIX = PREFIX + "aggregate-"
"""Written by the operator from Aggregates."""
DISABLED_REASON_ANNOTATION = PREFIX + "disabled-reason"
"""Written by the gateway (os-services disable)."""
FORCED_DOWN_TAINT = PREFIX + "forced-down"
"""Written by the gateway (os-services force-down)."""

# ----- Namespaces (projects), written by the gateway's identity service --------------------------
PROJECT_ID_LABEL = PREFIX + "project-id"
PROJECT_NAME_ANNOTATION = PREFIX + "project-name"

# ----- finalizers ------------------------------------------------------------------------------
SERVER_FINALIZER = PREFIX + "server"
"""The operator's finalizer on Servers (the gateway sets it at create, saving the operator a write)."""
