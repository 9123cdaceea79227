"""Other people's resources in the same tenant: setup and reset leave them exactly as they were.

Run on scim2-server (a fresh one for this module) and on our own server outside the sandbox
(what ``scim-course serve`` is: a loopback server the course did not start).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_helper.marker import course_external_id
from scim_helper.setup import course_setup
from scim_helper.staff import PAPER_COMPANY_EXTERNAL_ID, staff_member
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import User
from tests.fixtures.local import TenantLogin
from tests.fixtures.peer import serve_peer
from tests.fixtures.strangers import create_strangers, snapshot


@pytest.fixture(params=["scim2-server", "course-server"])
def shared(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A tenant that is not the course's sandbox: (url, token)."""
    if request.param == "scim2-server":
        with serve_peer() as peer:
            yield peer.url, peer.token
    else:
        tenant: TenantLogin = request.getfixturevalue("fresh_tenant")
        yield tenant.url, tenant.token


def _client(url: str, token: str) -> SCIMClient:
    return SCIMClient(ClientConfiguration(server_url=url, auth_token=token))


def test_reset_leaves_strangers_exactly_as_they_were(shared: tuple[str, str]) -> None:
    """Setup, a chapter's changes and reset twice: the strangers' whole resources are unchanged."""
    url, token = shared
    with _client(url, token) as client:
        strangers = create_strangers(client)
        before = snapshot(client, strangers)
        group_id, ids = course_setup(token, server_url=url)
        charles = client.create_user(
            User(userName="cminer", externalId=course_external_id("cminer"))
        ).to_dict()["id"]
        paper = client.create_group(
            Group(displayName="Michael Scott Paper Company", externalId=PAPER_COMPANY_EXTERNAL_ID)
        ).to_dict()["id"]
        client.update_group(
            id=group_id,
            ops=PatchOp(operations=[Operation("add", "members", [{"value": charles}])]),
        )
        for _ in range(2):
            assert course_setup(token, server_url=url, reset=True) == (group_id, ids)
        assert snapshot(client, strangers) == before
        lookup = Tenant(client)
        assert lookup.user("cminer") is None
        assert {g["id"] for g in lookup.groups()} == {group_id, strangers.group_id}
        assert paper not in {g["id"] for g in lookup.groups()}
        assert {u["id"] for u in lookup.users()} == set(ids.values()) | set(strangers.user_ids)


def test_reset_restores_one_changed_attribute_on_a_strict_server(shared: tuple[str, str]) -> None:
    """Only the one attribute that differs comes back; the group is restored without a PUT."""
    url, token = shared
    with _client(url, token) as client:
        group_id, ids = course_setup(token, server_url=url)
        users_before = {u["id"]: u for u in Tenant(client).users()}
        group_before = client.get_group(group_id).to_dict()
        angela = ids["Angela Martin"]
        client.update_user(
            id=angela,
            ops=PatchOp(
                operations=[Operation("replace", "title", "Head of the Party Planning Committee")]
            ),
        )
        course_setup(token, server_url=url, reset=True)
        users_after = {u["id"]: u for u in Tenant(client).users()}
        changed = {i for i in users_after if users_after[i] != users_before[i]}
        assert changed == {angela}
        assert users_after[angela]["title"] == staff_member("amartin").title
        assert client.get_group(group_id).to_dict() == group_before  # untouched: nothing differed
