# syntax=docker/dockerfile:1
# One image for all three kubenova components (docs/install.md):
#   operator   python -m kubenova            (kopf; liveness on :8080/healthz)
#   gateway    python -m kubenova_api        (Nova/Keystone-compatible HTTP API on :8774)
#   simulator  python -m kubevirt_simulator  (fake KubeVirt for clusters without it)
# The ENTRYPOINT is a small dispatcher: `docker run IMAGE gateway --port 8774`, `... operator`, ...
#
# Build:  docker build -t kubenova:0.1.0 .
#
# The build stage installs the pinned runtime closure (requirements.txt, wheels only: nothing is
# compiled) and a wheel of this project into a virtualenv; the final stage copies just that
# virtualenv onto the same slim base, so no compiler, pip or setuptools ship in the image.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src

# Dependencies first, so a source change does not reinstall them. --no-deps: requirements.txt is
# the complete, pinned closure (uv pip compile); --only-binary: no build tools, no surprises.
COPY requirements.txt ./
RUN python -m venv /opt/kubenova \
 && /opt/kubenova/bin/pip install --no-cache-dir --no-deps --only-binary=:all: -r requirements.txt

# The project itself, as a wheel built with a pinned backend in a throw-away builder venv.
COPY pyproject.toml README.md ./
COPY operator/ operator/
COPY api_gateway/ api_gateway/
COPY tools/localstack/ tools/localstack/
RUN python -m venv /tmp/builder \
 && /tmp/builder/bin/pip install --no-cache-dir setuptools==84.2.1 \
 && /tmp/builder/bin/pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /tmp/wheels . \
 && /opt/kubenova/bin/pip install --no-cache-dir --no-deps /tmp/wheels/kubenova-*.whl \
 && /opt/kubenova/bin/python -m pip uninstall --yes pip setuptools \
 && /opt/kubenova/bin/python -c "import kubenova, kubenova_api, kubevirt_simulator"

COPY --chmod=0755 hack/container-entrypoint.sh /opt/kubenova/bin/kubenova


FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="kubenova" \
      org.opencontainers.image.description="OpenStack Compute (Nova) as a Kubernetes operator: operator, gateway, KubeVirt simulator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"

# A fixed numeric uid/gid so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
RUN groupadd --system --gid 10001 kubenova \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin kubenova

COPY --from=build /opt/kubenova /opt/kubenova

# Bytecode was compiled at install time; the root filesystem is read-only at run time anyway.
ENV PATH=/opt/kubenova/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

USER 10001:10001
EXPOSE 8774 8080
# No HEALTHCHECK on purpose: Kubernetes probes (manifests/) decide liveness and readiness.
ENTRYPOINT ["/opt/kubenova/bin/kubenova"]
CMD ["--help"]
