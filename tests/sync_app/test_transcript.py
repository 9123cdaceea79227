# The calls are copied as learners write them, str.format included.
# ruff: noqa: UP032
"""The seed transcript's client calls, as learners write them, against each SCIM server.

The transcript ran against api.scim.dev after ``course_setup``; here the test builds the
same world with the client itself: the fifteen Dunder Mifflin staff and their group.
"""

from __future__ import annotations

from uuid import NAMESPACE_X500, uuid5

import pytest

from sync_app.client import ClientConfiguration, Filter, SCIMClient
from sync_app.scim.group import Group, Member
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.resource import ResourceMeta, ResourceRef
from sync_app.scim.user import Email, Name, User
from tests.fixtures.servers import ServerUnderTest

STAFF = {
    "Michael Scott": "mscott",
    "Jim Halpert": "jhalpert",
    "Dwight Schrute": "dschrute",
    "Pam Beesly": "pbeesly",
    "Ryan Howard": "rhoward",
    "Andy Bernard": "abernard",
    "Kevin Malone": "kmalone",
    "Oscar Martinez": "omartinez",
    "Angela Martin": "amartin",
    "Stanley Hudson": "shudson",
    "Phyllis Vance": "pvance",
    "Meredith Palmer": "mpalmer",
    "Creed Bratton": "cbratton",
    "Kelly Kapoor": "kkapoor",
    "Toby Flenderson": "tflenderson",
}
GROUPS = ("Dunder Mifflin", "Michael Scott Paper Company")


def _start_over(client: SCIMClient) -> None:
    """Delete what an earlier run (or a seeded server) left, so the story starts clean."""
    for user_name in [*STAFF.values(), "cminer"]:
        for user in client.iter_users(Filter.eq("userName", user_name)):
            client.delete_user(user)
    for name in GROUPS:
        for group in client.iter_groups(Filter.eq("displayName", name)):
            client.delete_group(group)


def _course_setup(client: SCIMClient) -> tuple[str, dict[str, str]]:
    """What course_setup does for the transcript: the staff, all in "Dunder Mifflin"."""
    user_ids: dict[str, str] = {}
    for full_name, user_name in STAFF.items():
        given, family = full_name.split(" ")
        user = User(
            userName=user_name,
            displayName=full_name,
            active=True,
            name=Name(givenName=given, familyName=family),
            emails=[
                Email(
                    value=f"{given}.{family}@dundermifflin.com".lower(), type="work", primary=True
                )
            ],
        )
        user_ids[full_name] = client.create_user(user).to_dict()["id"]
    group = Group(
        displayName="Dunder Mifflin",
        members=[Member(value=user_id, display=name) for name, user_id in user_ids.items()],
    )
    return client.create_group(group).to_dict()["id"], user_ids


def _member_ids(client: SCIMClient, group_id: str) -> set[str]:
    members = client.get_group(group_id).to_dict().get("members") or []
    return {m["value"] for m in members}


def test_transcript_client_calls(scim_server: ServerUnderTest) -> None:
    """Every client call of the transcript works as written and does what the story says."""
    scim_dev_client_config = ClientConfiguration(
        server_url=scim_server.url + "/", auth_token=scim_server.token
    )
    with SCIMClient(scim_dev_client_config) as scim_dev_client:
        _start_over(scim_dev_client)
        dunder_mifflin_group_id, user_ids = _course_setup(scim_dev_client)
        assert _member_ids(scim_dev_client, dunder_mifflin_group_id) == set(user_ids.values())

        # In [16]-[17]: Charles Miner joins, built with meta, uuid5, Name, Email and groups.
        uuid = uuid5(NAMESPACE_X500, "uid=Charles.Miner,DC=dundermifflin,DC=com")
        meta = ResourceMeta.create_meta("User", "https://duo.local/Users/{}".format(str(uuid)))
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
                    ref="https://api.scim.dev/scim/v2/Group/{}".format(dunder_mifflin_group_id),
                    value=dunder_mifflin_group_id,
                    display="Dunder Mifflin",
                )
            ],
        )
        response = scim_dev_client.create_user(cminer)
        created = response.to_dict()
        assert response.status_code == 201
        assert created["userName"] == "cminer"
        assert created["name"]["familyName"] == "Miner"
        assert created["emails"][0]["value"] == "Charles.Miner@dundermifflin.com"
        # The server assigns the id (RFC 7643 §3.1): ours, a client-side uuid5, is not sent.
        assert created["id"] and created["id"] != str(uuid)
        user_ids["Charles.Miner"] = response.to_dict()["id"]

        # In [20]: Michael is deactivated.
        deactive_patch_op = PatchOp(
            operations=[Operation(op="replace", path="active", value=False)]
        )
        response = scim_dev_client.update_user(id=user_ids["Michael Scott"], ops=deactive_patch_op)
        assert response.to_dict()["active"] is False
        assert response.to_dict()["userName"] == "mscott"

        # In [21]: ... and leaves the Dunder Mifflin group (remove with a bare id).
        remove_patch_op = PatchOp(
            operations=[Operation(op="remove", path="members", value=user_ids["Michael Scott"])]
        )
        response = scim_dev_client.update_group(id=dunder_mifflin_group_id, ops=remove_patch_op)
        assert response.to_dict()["displayName"] == "Dunder Mifflin"
        remaining = {m["value"] for m in response.to_dict()["members"]}
        assert user_ids["Michael Scott"] not in remaining
        assert user_ids["Jim Halpert"] in remaining

        # In [23]: the Michael Scott Paper Company is founded.
        michael_scott_paper_company = Group(
            displayName="Michael Scott Paper Company",
            group_id=uuid5(NAMESPACE_X500, "cn=MichaelScott,DC=PaperCompany,DC=com"),
            meta=ResourceMeta.create_meta(
                "Group",
                "https://duo.local/Groups/{}".format(
                    uuid5(NAMESPACE_X500, "cn=MichaelScott,DC=PaperCompany,DC=com")
                ),
            ),
        )
        response = scim_dev_client.create_group(michael_scott_paper_company)
        michael_scott_paper_company_id = response.to_dict()["id"]
        assert response.status_code == 201
        assert response.to_dict()["displayName"] == "Michael Scott Paper Company"

        # In [24]: three people join it in one operation.
        add_three_people_op = PatchOp(
            operations=[
                Operation(
                    op="add",
                    path="members",
                    value=[
                        {"value": user_ids["Michael Scott"]},
                        {"value": user_ids["Pam Beesly"]},
                        {"value": user_ids["Ryan Howard"]},
                    ],
                )
            ]
        )
        response = scim_dev_client.update_group(
            id=michael_scott_paper_company_id, ops=add_three_people_op
        )
        paper_company = {user_ids[n] for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")}
        assert {m["value"] for m in response.to_dict()["members"]} == paper_company

        # In [25]: Pam and Ryan leave Dunder Mifflin, two operations in one PatchOp.
        remove_patch_op = PatchOp(
            operations=[
                Operation(op="remove", path="members", value=user_ids["Pam Beesly"]),
                Operation(op="remove", path="members", value=user_ids["Ryan Howard"]),
            ]
        )
        response = scim_dev_client.update_group(id=dunder_mifflin_group_id, ops=remove_patch_op)
        left = {user_ids[n] for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")}
        expected = set(user_ids.values()) - left - {user_ids["Charles.Miner"]}
        assert {m["value"] for m in response.to_dict()["members"]} == expected

        # In [27]: get_group by id.
        response = scim_dev_client.get_group(dunder_mifflin_group_id)
        assert response.to_dict()["id"] == dunder_mifflin_group_id
        assert len(response.to_dict()["members"]) == len(STAFF) - 3

        # In [28]: a filter on displayName.
        filter = Filter(filter='displayName eq "Dunder Mifflin"')
        response = scim_dev_client.get_groups(filter=filter)
        assert response.to_dict()["totalResults"] == 1
        assert response.to_dict()["Resources"][0]["id"] == dunder_mifflin_group_id

        # In [29]: the users of the paper company, by groups.value.
        filter = Filter(filter='groups.value eq "{}"'.format(michael_scott_paper_company_id))
        response = scim_dev_client.get_users(filter=filter)
        found = {r["id"] for r in response.to_dict()["Resources"]}
        if scim_server.deviates("user-groups"):
            # scim2-server never computes User.groups (RFC 7643 §4.1.2), so nothing matches.
            assert found == set()
        else:
            assert found == paper_company
            assert response.to_dict()["totalResults"] == 3

        # In [30]-[32]: new email addresses at the paper company.
        for name, address in (
            ("Michael Scott", "michael.scott@michaelscott.com"),
            ("Pam Beesly", "pam.beesly@michaelscott.com"),
            ("Ryan Howard", "ryan.howard@michaelscott.com"),
        ):
            update_patch_op = PatchOp(
                operations=[Operation(op="replace", path="emails.value", value=address)]
            )
            response = scim_dev_client.update_user(id=user_ids[name], ops=update_patch_op)
            assert [e["value"] for e in response.to_dict()["emails"]] == [address]
        assert scim_dev_client.get_user(user_ids["Michael Scott"]).to_dict()["active"] is False


@pytest.mark.parametrize("trailing", ["", "/"])
def test_server_url_with_or_without_trailing_slash(
    scim_server: ServerUnderTest, trailing: str
) -> None:
    """ClientConfiguration accepts the base URL with or without a trailing slash."""
    config = ClientConfiguration(
        server_url=scim_server.url + trailing, auth_token=scim_server.token
    )
    with SCIMClient(config) as client:
        response = client.service_provider_config()
        assert response.status_code == 200
        assert response.url == scim_server.url + "/ServiceProviderConfig"
