"""The tutorial transcript's cells, course setup through the email update, run as written.

The only change is where the server comes from: instead of scim.dev and a pasted token, the
course's server is found by ``course_server()`` — from SCIM_SERVER_URL/SCIM_AUTH_TOKEN, or, with
nothing set, the embedded server started on demand.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from scim_helper import connection
from scim_helper.tenant import Tenant
from sync_app.client import ClientConfiguration, SCIMClient
from tests.fixtures.local import TenantLogin


def run_transcript(server_url: str, auth_token: str) -> dict[str, Any]:
    """The transcript's cells in order; returns the names they define."""
    scim_dev_client_config = ClientConfiguration(server_url=server_url, auth_token=auth_token)
    scim_dev_client = SCIMClient(scim_dev_client_config)

    from scim_helper import course_setup

    dunder_mifflin_group_id, user_ids = course_setup(auth_token)

    from uuid import NAMESPACE_X500, uuid5

    from sync_app.scim.resource import ResourceMeta

    uuid = uuid5(NAMESPACE_X500, "uid=Charles.Miner,DC=dundermifflin,DC=com")
    meta = ResourceMeta.create_meta(
        "User",
        "https://duo.local/Users/{}".format(  # noqa: UP032 (the transcript's own spelling)
            str(uuid),
        ),
    )

    from sync_app.scim.resource import ResourceRef
    from sync_app.scim.user import Email, Name, User

    cminer = User(
        meta=meta,
        user_id=uuid,
        displayName="Charles.Miner",
        active=True,
        userName="cminer",
        name=Name(formatted="Charles Miner", familyName="Miner", givenName="Charles"),
        emails=[Email(value="Charles.Miner@dundermifflin.com", type="work", primary=True)],
        groups=[
            ResourceRef(
                ref="https://api.scim.dev/scim/v2/Group/{}".format(dunder_mifflin_group_id),  # noqa: UP032
                value=dunder_mifflin_group_id,
                display="Dunder Mifflin",
            )
        ],
    )
    response = scim_dev_client.create_user(cminer)
    user_ids["Charles.Miner"] = response.to_dict()["id"]

    from sync_app.scim.patchop import Operation, PatchOp

    deactive_patch_op = PatchOp(operations=[Operation(op="replace", path="active", value=False)])
    scim_dev_client.update_user(id=user_ids["Micheal Scott"], ops=deactive_patch_op)

    remove_patch_op = PatchOp(
        operations=[Operation(op="remove", path="members", value=user_ids["Micheal Scott"])]
    )
    scim_dev_client.update_group(id=dunder_mifflin_group_id, ops=remove_patch_op)

    from sync_app.scim.group import Group

    micheal_scott_paper_company = Group(
        displayName="Micheal Scott Paper Company",
        group_id=uuid5(NAMESPACE_X500, "cn=MichealScott,DC=PaperCompany,DC=com"),
        meta=ResourceMeta.create_meta(
            "Group",
            "https://duo.local/Groups/{}".format(
                uuid5(NAMESPACE_X500, "cn=MichealScott,DC=PaperCompany,DC=com")
            ),
        ),
    )
    response = scim_dev_client.create_group(micheal_scott_paper_company)
    micheal_scott_paper_company_id = response.to_dict()["id"]

    add_three_peope_op = PatchOp(
        operations=[
            Operation(
                op="add",
                path="members",
                value=[
                    {"value": user_ids["Micheal Scott"]},
                    {"value": user_ids["Pam Beesly"]},
                    {"value": user_ids["Ryan Howard"]},
                ],
            )
        ]
    )
    scim_dev_client.update_group(id=micheal_scott_paper_company_id, ops=add_three_peope_op)

    remove_patch_op = PatchOp(
        operations=[
            Operation(op="remove", path="members", value=user_ids["Pam Beesly"]),
            Operation(op="remove", path="members", value=user_ids["Ryan Howard"]),
        ]
    )
    scim_dev_client.update_group(id=dunder_mifflin_group_id, ops=remove_patch_op)

    from sync_app.client import Filter

    filter = Filter(filter='displayName eq "Dunder Mifflin"')
    dunder_mifflin_found = scim_dev_client.get_groups(filter=filter).to_dict()

    filter = Filter(filter='groups.value eq "{}"'.format(micheal_scott_paper_company_id))  # noqa: UP032
    paper_company_people = scim_dev_client.get_users(filter=filter).to_dict()

    for person, address in (
        ("Micheal Scott", "micheal.scott@michealscott.com"),
        ("Pam Beesly", "pam.beesly@michealscott.com"),
        ("Ryan Howard", "ryan.howard@michealscott.com"),
    ):
        update_patch_op = PatchOp(
            operations=[Operation(op="replace", path="emails.value", value=address)]
        )
        scim_dev_client.update_user(id=user_ids[person], ops=update_patch_op)

    return {
        "client": scim_dev_client,
        "group_id": dunder_mifflin_group_id,
        "user_ids": user_ids,
        "paper_company_id": micheal_scott_paper_company_id,
        "dunder_mifflin_found": dunder_mifflin_found,
        "paper_company_people": paper_company_people,
    }


def assert_story(result: dict[str, Any]) -> None:
    """Where the story stands after the transcript's last cell."""
    client, ids = result["client"], result["user_ids"]
    lookup = Tenant(client)
    charles = lookup.user("cminer")
    assert charles is not None and charles["id"] == ids["Charles.Miner"]
    # User.groups is read-only: the transcript's ResourceRef did not make Charles a member.
    assert charles.get("groups") in (None, [])
    michael = client.get_user(ids["Michael Scott"]).to_dict()
    assert michael["active"] is False
    dunder_mifflin = client.get_group(result["group_id"]).to_dict()
    left = {ids[n] for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")}
    assert (
        Tenant.member_ids(dunder_mifflin)
        == {i for n, i in ids.items() if n != "Charles.Miner"} - left
    )
    assert result["dunder_mifflin_found"]["totalResults"] == 1
    people = result["paper_company_people"]
    assert {u["userName"] for u in people["Resources"]} == {"mscott", "pbeesly", "rhoward"}
    for user_id, address in (
        (ids["Michael Scott"], "micheal.scott@michealscott.com"),
        (ids["Pam Beesly"], "pam.beesly@michealscott.com"),
    ):
        emails = client.get_user(user_id).to_dict()["emails"]
        assert [e["value"] for e in emails] == [address]


def test_transcript_runs_against_the_server_in_the_environment(
    fresh_tenant: TenantLogin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SCIM_SERVER_URL/SCIM_AUTH_TOKEN set, the transcript's cells tell the whole story."""
    monkeypatch.setenv(connection.URL_ENV, fresh_tenant.url)
    monkeypatch.setenv(connection.TOKEN_ENV, fresh_tenant.token)
    server_url, auth_token = connection.course_server()
    assert (server_url, auth_token) == (fresh_tenant.url, fresh_tenant.token)
    assert_story(run_transcript(server_url, auth_token))


def test_transcript_runs_against_the_embedded_server(embedded: Path) -> None:
    """With nothing set, the embedded server starts on demand and the story runs the same."""
    server_url, auth_token = connection.course_server()
    assert server_url.startswith("http://127.0.0.1:")
    assert_story(run_transcript(server_url, auth_token))
    token_file = embedded / "token"
    assert token_file.read_text().strip() == auth_token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_transcript_runs_twice_after_a_reset(embedded: Path) -> None:
    """The transcript warned against running it twice; after reset=True it simply runs again.

    Its cells create Charles and the group without the course's mark, so only the course's own
    sandbox (the embedded server) may delete them on reset.
    """
    from scim_helper import course_setup

    url, token = connection.course_server()
    first = run_transcript(url, token)
    course_setup(token, server_url=url, reset=True)
    second = run_transcript(url, token)
    assert second["group_id"] == first["group_id"]
    assert_story(second)


def test_reset_elsewhere_keeps_the_transcripts_unmarked_charles(fresh_tenant: TenantLogin) -> None:
    """On a server the course did not start, the unmarked Charles survives reset untouched."""
    from scim_helper import course_setup

    url, token = connection.course_server(fresh_tenant.url, fresh_tenant.token)
    result = run_transcript(url, token)
    charles = Tenant(result["client"]).user("cminer")
    course_setup(token, server_url=url, reset=True)
    assert Tenant(result["client"]).user("cminer") == charles
