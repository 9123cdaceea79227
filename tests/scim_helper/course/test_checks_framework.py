"""How a check is made and run (``checks._framework``): registration, signature, failures.

The chapters' checks are registered when their modules are imported; these tests register
checks of their own at test time (into an empty ``CHECKS``), so that what ``check`` and
``Check`` do is exercised by a test and not only at import.
"""

from __future__ import annotations

from typing import Any

import pytest

from scim_helper import checks
from scim_helper.checks import _framework
from scim_helper.checks._framework import Check, check, sent
from scim_helper.tenant import Tenant
from sync_app.errors import SCIMError
from sync_app.wirelog import Exchange

from .conftest import Seeded


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Check]:
    """An empty ``CHECKS`` for this test; the chapters' own come back afterwards."""
    empty: dict[str, Check] = {}
    monkeypatch.setattr(_framework, "CHECKS", empty)
    return empty


def test_check_registers_the_function_under_its_own_name(registry: dict[str, Check]) -> None:
    """``@check(chapter)`` returns a Check named after the function, in that chapter, that keeps
    the function's docstring, and lists it in CHECKS."""

    def tenant_and_answer(tenant: Tenant, answer: Any) -> str:
        """✓ when the answer is right."""
        return "done"

    made = check("99-test")(tenant_and_answer)
    assert isinstance(made, Check)
    assert registry == {"tenant_and_answer": made}
    assert (made.name, made.chapter, made.func) == (
        "tenant_and_answer",
        "99-test",
        tenant_and_answer,
    )
    assert made.__name__ == "tenant_and_answer"
    assert made.__doc__ == "✓ when the answer is right."
    assert made.__wrapped__ is tenant_and_answer  # type: ignore[attr-defined]
    assert repr(made) == "<Check tenant_and_answer (99-test)>"
    assert (made.needs_server, made.takes_answer) == (True, True)


def test_check_reads_what_the_function_needs_from_its_parameters(
    registry: dict[str, Check],
) -> None:
    """``tenant`` first: it reads the server; ``answer`` anywhere: it takes the answer; any other
    first parameter, or none, needs no server."""

    def tenant_only(tenant: Tenant) -> str:
        return "done"

    def answer_only(answer: Any) -> str:
        return "done"

    def nothing() -> str:
        return "done"

    def client_first(client: Any, answer: Any) -> str:
        return "done"

    found = {
        f.__name__: (c.needs_server, c.takes_answer)
        for f in (tenant_only, answer_only, nothing, client_first)
        for c in [check("99-test")(f)]
    }
    assert found == {
        "tenant_only": (True, False),
        "answer_only": (False, True),
        "nothing": (False, False),
        "client_first": (False, True),
    }
    assert list(registry) == ["tenant_only", "answer_only", "nothing", "client_first"]


def test_a_check_called_without_its_answer_gets_none(seeded: Seeded) -> None:
    """No answer given: the function sees None (what every check reads as "no answer yet")."""
    seen: list[Any] = []

    def graded(tenant: Tenant, answer: Any) -> str:
        seen.append(answer)
        return "done"

    assert Check(graded, "99-test")(seeded.client).ok
    assert Check(graded, "99-test")(seeded.client, 0).ok
    assert seen == [None, 0]
    assert checks.welcome_bulk_limit(seeded.client).message.startswith("No answer yet")


def _raising(error: SCIMError) -> Check:
    def fails(tenant: Tenant) -> str:
        raise error

    return Check(fails, "99-test")


def test_a_failure_becomes_a_hint_of_its_first_line_or_its_kind(seeded: Seeded) -> None:
    """A SCIM error of several lines: the hint quotes its first; one with no message: the hint
    names its class."""
    several = _raising(SCIMError("first line\nsecond line"))(seeded.client)
    assert (several.name, several.ok, several.message) == (
        "fails",
        False,
        "The check could not ask the server: first line",
    )
    empty = _raising(SCIMError())(seeded.client)
    assert empty.message == "The check could not ask the server: SCIMError"


def _exchange(path: str) -> Exchange:
    return Exchange("GET", f"http://h/scim/v2{path}", path, status=200)


def test_sent_compares_the_path_without_its_query(seeded: Seeded) -> None:
    """A path prefix is matched against the path alone: a query that repeats the prefix, or a
    path that only continues it after ``?``, does not count."""
    tenant = Tenant(seeded.client)
    tenant.history = [
        _exchange("/Users/abc?attributes=id"),
        _exchange("/Users?x=/abc"),
        _exchange("/Groups?filter=/Users/abc"),
        _exchange("/Users?filter=a?b"),  # "?" may appear again in a query (RFC 3986 3.4)
    ]
    assert [e.path for e in sent(tenant, "GET", "/Users/abc")] == ["/Users/abc?attributes=id"]
    assert [e.path for e in sent(tenant, "GET", "/Users?")] == []
