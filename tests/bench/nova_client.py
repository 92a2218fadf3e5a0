"""The bench's Nova client: only public API calls through the gateway, async (httpx), timed.

Each call returns when it was sent and how long it took (``time.monotonic()``), so the workload can
put requests and the Server watch's events on one clock. The token is renewed before it could
expire (a full run lasts longer than a token lives).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

TOKEN_RENEW = 1800.0  # seconds; tokens live 3600 s by default
COMPUTE = "/compute/v2.1"


class NovaError(RuntimeError):
    pass


@dataclass(frozen=True)
class Timed:
    sent: float
    seconds: float


class NovaClient:
    def __init__(self, base_url: str, *, user: str, password: str, project: str, connections: int) -> None:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(300.0, connect=30.0),
            limits=limits,
            headers={"User-Agent": "kubenova-bench", "OpenStack-API-Version": "compute latest"},
        )
        self.user = user
        self.password = password
        self.project = project
        self.project_id = ""
        self._token_at = 0.0
        self._login_lock = asyncio.Lock()

    async def close(self) -> None:
        await self.http.aclose()

    async def login(self) -> None:
        domain = {"name": "Default"}
        auth = {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": self.user, "domain": domain, "password": self.password}},
            },
            "scope": {"project": {"name": self.project, "domain": domain}},
        }
        response = await self.http.post("/identity/v3/auth/tokens", json={"auth": auth})
        if response.status_code != 201:
            raise NovaError(f"login answered {response.status_code}: {response.text}")
        self.http.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        self.project_id = str(response.json()["token"]["project"]["id"])
        self._token_at = time.monotonic()

    async def _request(self, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, Timed]:
        if time.monotonic() - self._token_at > TOKEN_RENEW:
            async with self._login_lock:
                if time.monotonic() - self._token_at > TOKEN_RENEW:
                    await self.login()
        sent = time.monotonic()
        response = await self.http.request(method, url, **kwargs)
        return response, Timed(sent, time.monotonic() - sent)

    async def unlimited_quotas(self) -> None:
        """The bench creates thousands of servers in one project: lift Nova's default quotas."""
        body = {"quota_set": {"instances": -1, "cores": -1, "ram": -1}}
        response, _ = await self._request("PUT", f"{COMPUTE}/os-quota-sets/{self.project_id}", json=body)
        if response.status_code != 200:
            raise NovaError(f"PUT os-quota-sets answered {response.status_code}: {response.text}")

    async def create_server(self, name: str, image_id: str, flavor: str) -> tuple[str, Timed]:
        body = {"server": {"name": name, "imageRef": image_id, "flavorRef": flavor, "networks": "auto"}}
        response, timed = await self._request("POST", f"{COMPUTE}/servers", json=body)
        if response.status_code != 202:
            raise NovaError(f"POST /servers answered {response.status_code}: {response.text}")
        return str(response.json()["server"]["id"]), timed

    async def delete_server(self, server_id: str) -> Timed:
        response, timed = await self._request("DELETE", f"{COMPUTE}/servers/{server_id}")
        if response.status_code != 204:
            raise NovaError(f"DELETE /servers/{server_id} answered {response.status_code}: {response.text}")
        return timed

    async def list_detail(self, limit: int) -> tuple[int, Timed]:
        """One page of ``GET /servers/detail?limit=``: how many servers it held, and its time."""
        response, timed = await self._request("GET", f"{COMPUTE}/servers/detail", params={"limit": limit})
        if response.status_code != 200:
            raise NovaError(f"GET /servers/detail answered {response.status_code}: {response.text[:500]}")
        return len(response.json()["servers"]), timed
