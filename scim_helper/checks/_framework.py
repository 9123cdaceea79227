"""How a check works: it looks at the live server and answers with a ✓ or a hint.

A check is a function of a :class:`~scim_helper.tenant.Tenant` (and, for some exercises, the
learner's ``answer``) decorated with :func:`check`. It returns the ✓ message, or raises
:class:`Hint` with a sentence saying what is still wrong — never the solution. The decorator
turns it into a :class:`Check`, which notebooks call as ``checks.charles_joined(client)``; the
call never raises for a wrong or missing answer: transport and protocol errors become hints too.

Messages are deterministic (no ids, times or server-dependent counts) so that stored notebook
outputs compare between runs.
"""

from __future__ import annotations

import functools
import html
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scim_helper.connection import course_client
from scim_helper.tenant import Tenant, quote
from scim_helper.workshop import reporter
from sync_app.client import SCIMClient
from sync_app.errors import SCIMError
from sync_app.wirelog import Exchange

__all__ = [
    "CHECKS",
    "Check",
    "CheckResult",
    "Hint",
    "check",
    "exact_members",
    "member_user_names",
    "names",
    "require_group",
    "require_user",
    "sent",
]

#: Every check, by name, in the order the chapters use them.
CHECKS: dict[str, Check] = {}

_MISSING: Any = object()
#: The attribute of a client that remembers which of its exchanges checks made (by ``id``).
_CHECK_EXCHANGES = "_scim_check_exchanges"


class Hint(Exception):
    """Raised by a check function: the exercise is not done yet, and this says why."""


@dataclass(frozen=True)
class CheckResult:
    """What a check found: ``ok`` and a one-sentence ``message``."""

    name: str
    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return f"✓ {self.message}" if self.ok else f"Hint: {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        state, colour, mark = ("pass", "#1a7f37", "✓") if self.ok else ("hint", "#9a6700", "Hint:")
        return (
            f'<div class="scim-check scim-check-{state}" data-check="{html.escape(self.name)}" '
            f'style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0;">'
            f'<b style="color:{colour}">{mark}</b> {html.escape(self.message)}</div>'
        )


class Check:
    """A registered check; call it with the chapter's client (and the answer, if it takes one)."""

    def __init__(self, func: Callable[..., str], chapter: str) -> None:
        params = list(inspect.signature(func).parameters)
        self.name = func.__name__
        self.chapter = chapter
        self.func = func
        #: ``tenant`` first: the check reads the server; otherwise it grades ``answer`` alone.
        self.needs_server = bool(params) and params[0] == "tenant"
        self.takes_answer = "answer" in params
        functools.update_wrapper(self, func)

    def __call__(
        self,
        client: Any = _MISSING,
        answer: Any = _MISSING,
        *,
        server_url: str | None = None,
        auth_token: str | None = None,
    ) -> CheckResult:
        started = time.perf_counter()
        if not self.needs_server:
            # checks.caught_uniqueness(answer): the only argument is the answer.
            value = None if client is _MISSING else client
            return self._reported(self._run(lambda: self.func(value)), started, None)
        if answer is _MISSING:
            answer = None
        if client is _MISSING or client is None:
            owned = course_client(server_url, auth_token)
            try:
                return self._reported(self._run_with(owned, answer), started, owned)
            finally:
                owned.close()
        return self._reported(self._run_with(client, answer), started, client)

    def _reported(
        self, result: CheckResult, started: float, client: SCIMClient | None
    ) -> CheckResult:
        """``result``, its outcome queued for a workshop server (scim_helper.workshop.reporter:
        in the background, only to a server that says it is one, never failing the check)."""
        seconds = time.perf_counter() - started
        hint = None if result.ok else result.message
        reporter.report(f"{self.chapter}/{self.name}", result.ok, hint, seconds, client)
        return result

    def _run_with(self, client: SCIMClient, answer: Any) -> CheckResult:
        tenant = Tenant(client)
        # What the learner's client had sent before this check asked anything itself, leaving
        # out what earlier checks asked through the same client: their lookups are not the
        # learner's (a check run before the exercise must not count as its "look up first").
        own: set[int] = getattr(client, _CHECK_EXCHANGES, set())
        logged = list(client.wire_log)
        tenant.history = [e for e in logged if id(e) not in own]
        try:
            if self.takes_answer:
                return self._run(lambda: self.func(tenant, answer))
            return self._run(lambda: self.func(tenant))
        finally:
            before = {id(e) for e in logged}
            still = {id(e) for e in client.wire_log}
            mine = {id(e) for e in client.wire_log if id(e) not in before}
            setattr(client, _CHECK_EXCHANGES, (own & still) | mine)

    def _run(self, call: Callable[[], str]) -> CheckResult:
        try:
            message = call()
        except Hint as hint:
            return CheckResult(self.name, False, str(hint))
        except SCIMError as error:
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            return CheckResult(
                self.name, False, f"The check could not ask the server: {first_line}"
            )
        return CheckResult(self.name, True, message)

    def __repr__(self) -> str:
        return f"<Check {self.name} ({self.chapter})>"


def check(chapter: str) -> Callable[[Callable[..., str]], Check]:
    """Register a check function under its own name, for the chapter given."""

    def register(func: Callable[..., str]) -> Check:
        result = Check(func, chapter)
        CHECKS[result.name] = result
        return result

    return register


def sent(tenant: Tenant, method: str | None = None, path: str | None = None) -> list[Exchange]:
    """What the learner's client sent before this check ran (its wire log), oldest first.

    ``method`` keeps one HTTP method (``"PATCH"``); ``path`` keeps exchanges whose path starts
    with it (``"/Groups/<id>"``, ``"/Bulk"``). Checks that grade a technique ("one PATCH with a
    filter path", "one Bulk request") read this rather than the end state alone. The log holds
    the client's last ``client.wire_log.maxlen`` exchanges.
    """
    exchanges = tenant.history if tenant.history is not None else list(tenant.client.wire_log)
    return [
        e
        for e in exchanges
        if (method is None or e.method == method.upper())
        and (path is None or e.path.split("?", 1)[0].startswith(path))
    ]


def names(people: set[str]) -> str:
    """``{"pbeesly", "mscott"}`` → ``'mscott, pbeesly'`` (sorted, so messages are stable)."""
    return ", ".join(sorted(people))


# -- what many checks ask the server ------------------------------------------------------------


def require_user(tenant: Tenant, user_name: str, who: str) -> dict[str, Any]:
    """The user, or a Hint saying they do not exist yet."""
    user = tenant.user(user_name)
    if user is None:
        raise Hint(f"There is no user {user_name!r} ({who}) on the server yet.")
    return user


def require_group(tenant: Tenant, display_name: str, how: str = "") -> dict[str, Any]:
    """The group, or a Hint naming it (and how it should have come to exist)."""
    group = tenant.group(display_name)
    if group is None:
        raise Hint(f"There is no group {display_name!r} on the server yet.{how}")
    return group


def member_user_names(tenant: Tenant, group: dict[str, Any]) -> set[str]:
    """The userNames of a group's members (ids that are not users are left out)."""
    ids = sorted(Tenant.member_ids(group))
    found: set[str] = set()
    for start in range(0, len(ids), 20):
        chunk = ids[start : start + 20]
        query = " or ".join(f"id eq {quote(i)}" for i in chunk)
        found |= {str(u["userName"]) for u in tenant.users(query) if u.get("userName")}
    return found


def exact_members(
    tenant: Tenant, display_name: str, expected: set[str], how: str = ""
) -> dict[str, Any]:
    """Hint unless the group holds exactly ``expected`` (userNames); the group otherwise."""
    group = require_group(tenant, display_name, how)
    actual = member_user_names(tenant, group)
    missing, extra = expected - actual, actual - expected
    if missing and not actual:
        raise Hint(f"{display_name!r} has no members yet.")
    if missing:
        raise Hint(f"{display_name!r} is still missing {names(missing)}.")
    if extra:
        raise Hint(f"{display_name!r} holds people who should not be in it: {names(extra)}.")
    return group
