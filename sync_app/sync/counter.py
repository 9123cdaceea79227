"""RequestCounter: how many reads and writes a client's session sends, retries included."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

import requests

from sync_app.client import SCIMClient

__all__ = ["RequestCounter"]


@dataclass
class RequestCounter:
    """Counts the exchanges of ``client`` while active (``with RequestCounter(client) as n:``).

    A read is a GET or a POST to ``/.search`` (RFC 7644 §3.4.3); every other request writes.
    """

    client: SCIMClient
    reads: int = 0
    writes: int = 0

    def _hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        method = response.request.method or ""
        path = (response.request.path_url or "").split("?", 1)[0]
        if method in ("GET", "HEAD") or (method == "POST" and path.endswith("/.search")):
            self.reads += 1
        else:
            self.writes += 1

    def __enter__(self) -> RequestCounter:
        self.client.session.hooks.setdefault("response", []).append(self._hook)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.client.session.hooks["response"].remove(self._hook)
