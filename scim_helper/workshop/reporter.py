"""Report each check's outcome to a workshop server, in the background, never in the way.

A workshop server marks every response with the header :data:`HEADER`; a check has just
talked to its server, so the newest exchange in the client's wire log says whether that server
is one. Any other server (the course's own, scim2-server, a dead port) is never sent anything
extra: no probe, no report. A check that reads no server (it grades an answer alone) reports
to ``SCIM_SERVER_URL`` once an earlier check has seen that it is a workshop server.

What is sent: ``{"exercise", "outcome": "pass"|"hint", "hint", "seconds"}`` with the learner's
own token: no code, no data. It is queued and sent by one daemon thread, with a short timeout,
through a session of its own (so it never appears in the learner's wire log); failures are
dropped. ``SCIM_COURSE_PROGRESS=off`` turns reporting off.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

import requests

if TYPE_CHECKING:  # pragma: no cover
    from sync_app.client import SCIMClient
    from sync_app.wirelog import Exchange

#: The response header of a workshop server; its value is the path of the progress endpoint,
#: relative to the SCIM base URL.
HEADER = "scim-course-workshop"
PROGRESS_ENV = "SCIM_COURSE_PROGRESS"
TIMEOUT = 2.0  # seconds per report; the check never waits for it
_OFF = {"off", "0", "no", "false"}
_QUEUED_MAX = 100


class _Report(NamedTuple):
    url: str
    token: str
    body: dict[str, Any]


_queue: queue.Queue[_Report] = queue.Queue(maxsize=_QUEUED_MAX)
_workshops: dict[str, str] = {}  # base URL -> progress path, learned from responses
_lock = threading.Lock()
_thread: threading.Thread | None = None


def _after_fork() -> None:
    """A forked child has none of its parent's threads, but the queue it inherits still lists
    the parent's sending thread as a waiter, so the child's first report would wake that dead
    thread and wait for a second one: the child gets a queue, a lock and a thread of its own."""
    global _queue, _lock, _thread
    _queue = queue.Queue(maxsize=_QUEUED_MAX)
    _lock = threading.Lock()
    _thread = None


if hasattr(os, "register_at_fork"):  # POSIX only: Windows has no fork
    os.register_at_fork(after_in_child=_after_fork)


def enabled() -> bool:
    return os.environ.get(PROGRESS_ENV, "").strip().lower() not in _OFF


def advertised(exchanges: Iterable[Exchange]) -> tuple[bool, str | None]:
    """(whether any of the newest exchanges was answered, the progress path the newest
    answer advertises or None)."""
    for exchange in reversed(list(exchanges)[-20:]):
        if exchange.status is None:
            continue
        for name, value in exchange.response_headers.items():
            if name.lower() == HEADER and value.startswith("/"):
                return True, value
        return True, None
    return False, None


def report(
    exercise: str, ok: bool, hint: str | None, seconds: float, client: SCIMClient | None
) -> None:
    """Queue a check's outcome for the learner's workshop server, if it is one; never raises."""
    try:
        if not enabled():
            return
        if client is not None:
            url, token = client.config.base_url, client.config.auth_token
            answered, learned = advertised(client.wire_log)
            if answered:
                with _lock:
                    if learned:
                        _workshops[url] = learned
                    else:
                        _workshops.pop(url, None)
        else:
            url = os.environ.get("SCIM_SERVER_URL", "").rstrip("/")
            token = os.environ.get("SCIM_AUTH_TOKEN")
        path = _workshops.get(url)
        if not path or not token:
            return
        body: dict[str, Any] = {
            "exercise": exercise,
            "outcome": "pass" if ok else "hint",
            "hint": None if ok else hint,
            "seconds": round(seconds, 3),
        }
        _start()
        _queue.put_nowait(_Report(url + path, token, body))
    except Exception:  # a report must never fail a check (queue full, …)
        return


def _start() -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_send_all, name="scim-progress", daemon=True)
            _thread.start()


def _send_all() -> None:
    session = requests.Session()
    while True:
        item = _queue.get()
        try:
            session.post(
                item.url,
                json=item.body,
                headers={"Authorization": f"Bearer {item.token}"},
                timeout=TIMEOUT,
            )
        except Exception:  # dropped: progress is a courtesy, not a duty
            pass
        finally:
            _queue.task_done()


def wait(timeout: float = TIMEOUT) -> bool:
    """Wait until every queued report was sent (or dropped); False on timeout."""
    deadline = time.monotonic() + timeout
    while _queue.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# A kernel shutting down right after the last check still sends its report (at most TIMEOUT).
atexit.register(wait)
