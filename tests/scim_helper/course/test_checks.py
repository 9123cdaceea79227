"""Each exercise check: a hint while the exercise is undone (or done wrong), ✓ once it is done.

Every test drives the live server the way a learner would, through the client.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from scim_helper import checks, connection
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ProtocolError
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import Email, Name, User
from sync_app.wirelog import Exchange

from .conftest import Seeded


def ok(result: checks.CheckResult) -> None:
    assert result.ok, result.message
    assert repr(result).startswith("✓ ")


def hint(result: checks.CheckResult, *words: str) -> None:
    assert not result.ok
    assert repr(result).startswith("Hint: ")
    for word in words:
        assert word in result.message


def says(result: checks.CheckResult, message: str) -> None:
    """The whole message, word for word: a learner reads it, and notebooks store it."""
    assert result.message == message, result.message


def user_id(client: SCIMClient, user_name: str) -> str:
    found = Tenant(client).user(user_name)
    assert found is not None
    return str(found["id"])


def patch_user(client: SCIMClient, user_name: str, *ops: Operation) -> None:
    client.update_user(id=user_id(client, user_name), ops=PatchOp(operations=list(ops)))


def patch_group(client: SCIMClient, group_id: str, *ops: Operation) -> None:
    client.update_group(id=group_id, ops=PatchOp(operations=list(ops)))


def make_group(client: SCIMClient, name: str, *user_names: str) -> str:
    members = [Member(value=user_id(client, u)) for u in user_names]
    group = Group(displayName=name, members=members or None)
    return str(client.create_group(group).to_dict()["id"])


def make_user(client: SCIMClient, user_name: str, given: str, family: str, **extra: Any) -> str:
    email = f"{given}.{family}@dundermifflin.com".lower()
    user = User(
        userName=user_name,
        active=True,
        name=Name(givenName=given, familyName=family),
        emails=[Email(value=email, type="work", primary=True)],
        **extra,
    )
    return str(client.create_user(user).to_dict()["id"])


def members(ids: list[str]) -> list[dict[str, str]]:
    return [{"value": i} for i in ids]


def another_client(seeded: Seeded) -> SCIMClient:
    """A second client on the same tenant: an empty wire log, as after a kernel restart; what
    it sends is not in the learner's wire log."""
    config = ClientConfiguration(server_url=seeded.tenant.url, auth_token=seeded.tenant.token)
    return SCIMClient(config)


def send_raw(client: SCIMClient, method: str, path: str, body: Any) -> int:
    """Send a body exactly as given (as another client library would); the status."""
    try:
        response, _body, _exchange = client._transport.request(method, path, body=body)
    except ProtocolError as error:
        return error.status
    return response.status_code


def accepted(seeded: Seeded, method: str, path: str, body: Any) -> Exchange:
    """A request the server accepted (200), as a wire log holds it: for requests a real server
    would refuse or answer otherwise, which a check must still read right."""
    url = f"{seeded.tenant.url}{path}"
    return Exchange(method=method, url=url, path=path, request_body=body, status=200)


def sent_only(seeded: Seeded, *exchanges: Exchange) -> Tenant:
    """The seeded tenant, as a check sees it after a client that sent ``exchanges`` alone."""
    tenant = Tenant(seeded.client)
    tenant.history = list(exchanges)
    return tenant


def told(found: Any, tenant: Tenant, *args: Any) -> str:
    """What a check says to ``tenant`` (with its answer ``args``): its hint, or its ✓."""
    try:
        return str(found.func(tenant, *args))
    except checks.Hint as hint:
        return str(hint)


# -- the result itself --------------------------------------------------------------------------


def test_result_reads_as_tick_or_hint_in_text_and_html(seeded: Seeded) -> None:
    """A result's text starts with ✓ or Hint:, and its HTML says which for the browser test."""
    result = checks.michael_deactivated(seeded.client)
    assert str(result) == repr(result) == f"Hint: {result.message}"
    assert 'class="scim-check scim-check-hint"' in result._repr_html_()
    assert bool(result) is False and result.name == "michael_deactivated"
    patch_user(seeded.client, "mscott", Operation("replace", "active", False))
    assert "scim-check-pass" in checks.michael_deactivated(seeded.client)._repr_html_()


def test_check_without_a_client_finds_the_course_server(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Called with no client, a check uses the server course_server() finds."""
    monkeypatch.setenv(connection.URL_ENV, seeded.tenant.url)
    monkeypatch.setenv(connection.TOKEN_ENV, seeded.tenant.token)
    hint(checks.charles_created(), "cminer")


def test_a_server_error_becomes_a_hint(seeded: Seeded) -> None:
    """A check that cannot ask the server answers with a hint, never an exception."""
    result = checks.charles_created(server_url=seeded.tenant.url, auth_token="not-a-token")
    hint(result, "could not ask the server")


def test_every_check_is_registered_in_chapter_order() -> None:
    """CHECKS holds every check by name, the chapters in reading order."""
    assert set(checks.CHECKS) == {n for n in checks.__all__ if n[0].islower()} - {"check"}
    chapters = [c.chapter for c in checks.CHECKS.values()]
    assert chapters == sorted(chapters)


def test_every_check_has_a_test_here() -> None:
    """This module, or test_checks_<module>.py beside it, tests every registered check."""
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    for module in Path(__file__).parent.glob("test_checks_*.py"):
        tested |= set(re.findall(r"^def test_(\w+)\(", module.read_text(), re.MULTILINE))
    assert set(checks.CHECKS) <= tested
