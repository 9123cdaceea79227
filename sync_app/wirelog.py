"""The wire log: the last exchanges a client had with its server, readable in a notebook.

Each :class:`Exchange` records one HTTP attempt (a retried request shows once per attempt):
method, URL, status, elapsed time and both bodies. The ``Authorization`` header is always
redacted, and so is any ``password`` in a body: a wire log is made to be shown and shared.
"""

from __future__ import annotations

import html
import json
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["REDACTED", "Exchange", "WireLog", "redact_body", "redact_headers", "redact_json"]

REDACTED = "<redacted>"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_KEYS = frozenset({"password"})


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Copy headers, hiding credentials (the token must never reach a log)."""
    return {k: (REDACTED if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}


def redact_body(body: Any) -> Any:
    """Copy a decoded JSON body, hiding the values of ``password`` attributes."""
    if isinstance(body, dict):
        return {
            k: (REDACTED if k.lower() in _SECRET_KEYS and v is not None else redact_body(v))
            for k, v in body.items()
        }
    if isinstance(body, list):
        return [redact_body(v) for v in body]
    return body


def redact_json(body: Any, raw: bytes | None) -> Any:
    """A response ``body`` as the log keeps it, given ``raw``, the JSON text it was decoded from.

    When the text cannot hold a ``password`` attribute (no ``password`` in any letter case, no
    ``\\u`` escape that could spell one, and no NUL byte, which would mean a UTF-16 or UTF-32
    text), the body itself is kept, not a copy: copying every page of a long read cost a
    quarter of a 100,000-person re-sync. Otherwise a redacted copy (:func:`redact_body`).
    The log and the response then share the body; neither changes it (``SCIMResponse.to_dict``
    hands out copies). Request bodies are always copied: a caller may reuse and change its dict.
    """
    if raw is None or b"\x00" in raw or b"\\u" in raw or b"password" in raw.lower():
        return redact_body(body)
    return body


@dataclass
class Exchange:
    """One HTTP attempt: what was sent, what came back (redacted)."""

    method: str
    url: str
    #: The URL's path relative to the server base, e.g. ``/Users/2819c223``.
    path: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: Any = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: Any = None
    elapsed_ms: float = 0.0
    #: Why no status: the transport error, e.g. ``"ConnectError: connection refused"``.
    error: str | None = None
    #: 1 for the first attempt, 2 for the first retry…
    attempt: int = 1

    def __repr__(self) -> str:
        outcome = str(self.status) if self.status is not None else (self.error or "no answer")
        retry = f" (attempt {self.attempt})" if self.attempt > 1 else ""
        return f"<Exchange {self.method} {self.path} → {outcome} {self.elapsed_ms:.0f} ms{retry}>"

    def to_text(self) -> str:
        """The exchange as an HTTP-like transcript, bodies pretty-printed."""
        lines = [f"{self.method} {self.url}"]
        lines += [f"{k}: {v}" for k, v in self.request_headers.items()]
        if self.request_body is not None:
            lines += ["", _pretty(self.request_body)]
        lines.append("")
        if self.status is None:
            lines.append(f"-- no answer: {self.error}")
        else:
            lines.append(f"{self.status} ({self.elapsed_ms:.0f} ms)")
            lines += [f"{k}: {v}" for k, v in self.response_headers.items()]
            if self.response_body is not None:
                lines += ["", _pretty(self.response_body)]
        return "\n".join(lines)


def _pretty(body: Any) -> str:
    if isinstance(body, str):
        return body
    return json.dumps(body, indent=2, ensure_ascii=False)


class WireLog:
    """The last ``maxlen`` exchanges, oldest first; index it like a list (``log[-1]``)."""

    def __init__(self, maxlen: int = 50) -> None:
        self._exchanges: deque[Exchange] = deque(maxlen=maxlen)

    @property
    def maxlen(self) -> int:
        return self._exchanges.maxlen or 0

    def record(self, exchange: Exchange) -> None:
        self._exchanges.append(exchange)

    def clear(self) -> None:
        self._exchanges.clear()

    def __len__(self) -> int:
        return len(self._exchanges)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(list(self._exchanges))

    def __getitem__(self, index: int) -> Exchange:
        return self._exchanges[index]

    def __repr__(self) -> str:
        if not self._exchanges:
            return "<WireLog: no exchanges yet>"
        rows = "\n".join(f"  {e!r}" for e in self._exchanges)
        return f"<WireLog: last {len(self)} of at most {self.maxlen} exchanges\n{rows}\n>"

    def _repr_html_(self) -> str:
        head = "<tr><th>#</th><th>method</th><th>path</th><th>status</th><th>ms</th></tr>"
        rows = []
        for number, e in enumerate(self._exchanges, 1):
            outcome = str(e.status) if e.status is not None else (e.error or "no answer")
            detail = html.escape(e.to_text())
            rows.append(
                f"<tr><td>{number}</td><td>{e.method}</td><td>{html.escape(e.path)}</td>"
                f"<td>{html.escape(outcome)}</td><td>{e.elapsed_ms:.0f}</td></tr>"
                f'<tr><td></td><td colspan="4"><details><summary>bodies</summary>'
                f"<pre>{detail}</pre></details></td></tr>"
            )
        return f"<table>{head}{''.join(rows)}</table>"
