"""Chapter 08's checks: one Bulk request, the course's externalId, and Holly's bulkId reference."""

from __future__ import annotations

from typing import Any

import pytest

from scim_helper import checks, course_external_id
from sync_app.client import SCIMClient
from sync_app.scim.group import Group, Member
from sync_app.scim.messages import BulkOperation
from sync_app.scim.patchop import PATCH_OP_SCHEMA, Operation, PatchOp

from .conftest import Seeded
from .test_checks import (
    accepted,
    another_client,
    hint,
    make_user,
    members,
    ok,
    says,
    sent_only,
    told,
    user_id,
)

CLUB_ID = course_external_id("group:finer-things-club")


def _club_ids(seeded: Seeded) -> list[str]:
    return [seeded.user_ids[n] for n in ("Pam Beesly", "Oscar Martinez", "Toby Flenderson")]


def _post_club(seeded: Seeded, **data: Any) -> None:
    body = {"displayName": "Finer Things Club", **data}
    seeded.client.bulk([BulkOperation(method="POST", path="/Groups", bulkId="club", data=body)])


def test_finer_things_club(seeded: Seeded) -> None:
    """✓ for Pam, Oscar and Toby in one marked Bulk POST; a hint while the club does not exist."""
    hint(checks.finer_things_club(seeded.client), "Finer Things Club")
    _post_club(seeded, externalId=CLUB_ID, members=members(_club_ids(seeded)))
    ok(checks.finer_things_club(seeded.client))


def test_finer_things_club_without_the_marker_gets_a_hint(seeded: Seeded) -> None:
    """A club without the course's externalId gets a hint naming the marker."""
    _post_club(seeded, members=members(_club_ids(seeded)))
    hint(checks.finer_things_club(seeded.client), "externalId", CLUB_ID)


def test_finer_things_club_by_post_groups_gets_a_hint(seeded: Seeded) -> None:
    """The club made with POST /Groups (no Bulk) gets a hint saying what was sent."""
    club = Group(
        displayName="Finer Things Club",
        externalId=CLUB_ID,
        members=[Member(value=i) for i in _club_ids(seeded)],
    )
    seeded.client.create_group(club)
    hint(checks.finer_things_club(seeded.client), "POST /Groups", "one Bulk request")


def test_finer_things_club_in_two_bulk_requests_gets_a_hint(seeded: Seeded) -> None:
    """A Bulk POST of an empty club, then a second Bulk to add the members, is two requests."""
    _post_club(seeded, externalId=CLUB_ID)
    group = seeded.client.get_groups('displayName eq "Finer Things Club"').to_dict()
    club_id = group["Resources"][0]["id"]
    add = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "add", "path": "members", "value": members(_club_ids(seeded))}],
    }
    seeded.client.bulk([BulkOperation(method="PATCH", path=f"/Groups/{club_id}", data=add)])
    hint(checks.finer_things_club(seeded.client), "also sent POST /Bulk", "one Bulk request")


def _holly(**extra: Any) -> dict[str, Any]:
    return {
        "userName": "hflax",
        "active": True,
        "name": {"givenName": "Holly", "familyName": "Flax"},
        "emails": [{"value": "holly.flax@dundermifflin.com", "type": "work", "primary": True}],
        **extra,
    }


def _join(value: str) -> dict[str, Any]:
    return {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": value}]}],
    }


def _holly_in_one_bulk(client: SCIMClient, group_id: str) -> None:
    """The exercise's solution: Holly created, marked, and added by her bulkId, in one request."""
    client.bulk(
        [
            BulkOperation(
                method="POST",
                path="/Users",
                bulkId="holly",
                data=_holly(externalId=course_external_id("hflax")),
            ),
            BulkOperation(method="PATCH", path=f"/Groups/{group_id}", data=_join("bulkId:holly")),
        ]
    )


def test_holly_returns(seeded: Seeded) -> None:
    """✓ once Holly is created and added in one Bulk; a hint while she is not in the group."""
    hint(checks.holly_returns(seeded.client), "hflax")
    make_user(seeded.client, "hflax", "Holly", "Flax", externalId=course_external_id("hflax"))
    hint(checks.holly_returns(seeded.client), "bulkId")
    seeded.client.delete_user(user_id(seeded.client, "hflax"))
    _holly_in_one_bulk(seeded.client, seeded.group_id)
    ok(checks.holly_returns(seeded.client))


def test_holly_returns_without_the_marker_gets_a_hint(seeded: Seeded) -> None:
    """Holly without the course's externalId gets a hint naming it."""
    seeded.client.bulk(
        [
            BulkOperation(method="POST", path="/Users", bulkId="holly", data=_holly()),
            BulkOperation(
                method="PATCH", path=f"/Groups/{seeded.group_id}", data=_join("bulkId:holly")
            ),
        ]
    )
    hint(checks.holly_returns(seeded.client), "externalId", "office-course:hflax")


def test_holly_returns_without_bulk_gets_a_hint(seeded: Seeded) -> None:
    """POST /Users, then a PATCH of the group with her real id: in, but not by Bulk."""
    holly = make_user(seeded.client, "hflax", "Holly", "Flax", externalId="office-course:hflax")
    join = PatchOp(operations=[Operation("add", "members", [{"value": holly}])])
    seeded.client.update_group(id=seeded.group_id, ops=join)
    hint(checks.holly_returns(seeded.client), "POST /Users", "one Bulk request")


def test_holly_returns_in_two_bulk_requests_gets_a_hint(seeded: Seeded) -> None:
    """Two Bulk requests (create, then add by real id) have no bulkId reference: a hint."""
    marked = _holly(externalId=course_external_id("hflax"))
    seeded.client.bulk([BulkOperation(method="POST", path="/Users", bulkId="holly", data=marked)])
    holly = user_id(seeded.client, "hflax")
    seeded.client.bulk(
        [BulkOperation(method="PATCH", path=f"/Groups/{seeded.group_id}", data=_join(holly))]
    )
    hint(checks.holly_returns(seeded.client), '"bulkId:holly"', "one request")


def test_finer_things_club_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of finer_things_club, word for word, and its ✓."""
    client = seeded.client
    says(
        checks.finer_things_club(client), "There is no group 'Finer Things Club' on the server yet."
    )
    _post_club(seeded, members=members(_club_ids(seeded)))
    says(
        checks.finer_things_club(client),
        "The club has no course externalId: give it 'office-course:group:finer-things-club', "
        "the client's own key for it, so that reset can find it on any server.",
    )
    club = client.get_groups('displayName eq "Finer Things Club"').to_dict()["Resources"][0]
    client.update_group(
        id=club["id"], ops=PatchOp(operations=[Operation("replace", "externalId", CLUB_ID)])
    )
    says(
        checks.finer_things_club(client),
        "The club is right, but after the Bulk request your client also sent PATCH /Groups/…: "
        "the exercise asks for one Bulk request whose POST carries the members.",
    )
    with another_client(seeded) as other:
        says(
            checks.finer_things_club(other),
            "The club is right, but it was created with no request your client still "
            "remembers, not inside a POST /Bulk: the exercise asks for one Bulk request.",
        )
    client.delete_group(club["id"])
    with another_client(seeded) as other:
        other.bulk(
            [
                BulkOperation(
                    method="POST",
                    path="/Groups/",
                    bulkId="club",
                    data={
                        "displayName": "finer things club",
                        "externalId": CLUB_ID,
                        "members": members(_club_ids(seeded)),
                    },
                )
            ]
        )
        other.get_groups('displayName eq "Finer Things Club"')
        says(
            checks.finer_things_club(other),
            "The Finer Things Club is in session: Pam, Oscar and Toby, in one Bulk request.",
        )


def test_finer_things_club_counts_only_later_writes_to_the_club(seeded: Seeded) -> None:
    """After the Bulk, a PATCH of another group is not graded; a POST /Bulk on the club is."""
    _post_club(seeded, externalId=CLUB_ID, members=members(_club_ids(seeded)))
    client = seeded.client
    client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("replace", "displayName", "Dunder Mifflin")]),
    )
    ok(checks.finer_things_club(client))
    club = client.get_groups('displayName eq "Finer Things Club"').to_dict()["Resources"][0]
    client.bulk(
        [
            BulkOperation(
                method="PATCH", path=f"/Groups/{club['id']}", data=_join(_club_ids(seeded)[0])
            )
        ]
    )
    hint(checks.finer_things_club(client), "also sent POST /Bulk:")


def test_holly_returns_says_each_hint_in_full(seeded: Seeded) -> None:
    """Every hint of holly_returns, word for word, in the order a learner meets them."""
    client = seeded.client
    says(checks.holly_returns(client), "There is no user 'hflax' (Holly Flax) on the server yet.")
    client.bulk(
        [BulkOperation(method="POST", path="/Users", bulkId="h", data=_holly(active=False))]
    )
    says(checks.holly_returns(client), "Holly exists but is not active.")
    holly = user_id(client, "hflax")
    client.update_user(id=holly, ops=PatchOp(operations=[Operation("replace", "active", True)]))
    home = [{"value": "holly.flax@dundermifflin.com", "type": "home"}]
    client.update_user(id=holly, ops=PatchOp(operations=[Operation("replace", "emails", home)]))
    says(checks.holly_returns(client), "Holly has no work email holly.flax@dundermifflin.com.")
    work = [{"value": "Holly.Flax@dundermifflin.com", "type": "work"}]
    client.update_user(id=holly, ops=PatchOp(operations=[Operation("replace", "emails", work)]))
    says(
        checks.holly_returns(client),
        "Holly has no course externalId: give her 'office-course:hflax', the client's own key "
        "for her, so that reset can find her on any server.",
    )
    marker = course_external_id("hflax")
    client.update_user(
        id=holly, ops=PatchOp(operations=[Operation("replace", "externalId", marker)])
    )
    says(
        checks.holly_returns(client),
        "Holly is not in Dunder Mifflin: the group operation can point at her with a bulkId "
        "reference to the POST that creates her.",
    )
    client.bulk(
        [BulkOperation(method="PATCH", path=f"/Groups/{seeded.group_id}", data=_join(holly))]
    )
    says(
        checks.holly_returns(client),
        "Holly is in, but the Bulk request that created her had no group operation referring to "
        'her as "bulkId:h": the exercise asks for both steps in one request, joined by her bulkId.',
    )
    with another_client(seeded) as other:
        says(
            checks.holly_returns(other),
            "Holly is in, but she was created with no request your client still remembers, not "
            "inside a POST /Bulk: the exercise asks for one Bulk request that creates her and "
            "adds her.",
        )


def test_holly_returns_needs_the_group(seeded: Seeded) -> None:
    """Holly ready but no Dunder Mifflin: the hint names the group."""
    seeded.client.delete_group(seeded.group_id)
    seeded.client.bulk(
        [
            BulkOperation(
                method="POST",
                path="/Users",
                bulkId="h",
                data=_holly(externalId=course_external_id("hflax")),
            )
        ]
    )
    says(
        checks.holly_returns(seeded.client), "There is no group 'Dunder Mifflin' on the server yet."
    )


def test_holly_returns_a_post_without_a_bulk_id_names_none(seeded: Seeded) -> None:
    """A Bulk POST of Holly with no bulkId cannot be referred to: the hint shows the ellipsis."""
    holly = make_user(seeded.client, "hflax", "Holly", "Flax", externalId="office-course:hflax")
    seeded.client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("add", "members", [{"value": holly}])]),
    )
    body = {"Operations": [{"method": "POST", "path": "/Users", "data": _holly()}]}
    tenant = sent_only(seeded, accepted(seeded, "POST", "/Bulk", body))
    assert 'referring to her as "bulkId:…": ' in told(checks.holly_returns, tenant)


def test_holly_returns_the_reference_must_be_in_a_group_operation(seeded: Seeded) -> None:
    """The bulkId named in a PATCH of a user, not of a group, is no group operation."""
    marked = _holly(externalId=course_external_id("hflax"))
    seeded.client.bulk(
        [
            BulkOperation(method="POST", path="/Users", bulkId="holly", data=marked),
            BulkOperation(
                method="PATCH",
                path=f"/Users/{seeded.user_ids['Michael Scott']}",
                data={
                    "schemas": [PATCH_OP_SCHEMA],
                    "Operations": [{"op": "replace", "path": "nickName", "value": "bulkId:holly"}],
                },
            ),
        ]
    )
    holly = user_id(seeded.client, "hflax")
    seeded.client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("add", "members", [{"value": holly}])]),
    )
    hint(checks.holly_returns(seeded.client), 'referring to her as "bulkId:holly"')


# -- what the checks read in the wire log: each request that is not the technique, alone --------

_FORGOTTEN_CLUB = (
    "The club is right, but it was created with no request your client still remembers, not "
    "inside a POST /Bulk: the exercise asks for one Bulk request."
)


def _club_data(seeded: Seeded) -> dict[str, Any]:
    return {
        "displayName": "Finer Things Club",
        "externalId": CLUB_ID,
        "members": members(_club_ids(seeded)),
    }


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("POST", "/Bulk", {"method": "PUT", "path": "/Groups"}),
        ("POST", "/Bulk", {"method": "POST", "path": "/Users"}),
        ("POST", "/Bulk", {"method": "POST", "path": "/GroupsX"}),
        ("POST", "/Bulk", {"method": "POST", "path": "/Groups", "data": "Finer Things Club"}),
        ("PUT", "/Bulk", {"method": "POST", "path": "/Groups"}),
        ("POST", "/Groups/.search", {"method": "POST", "path": "/Groups"}),
    ],
    ids=["put-operation", "users-path", "other-path", "data-not-an-object", "put-bulk", "no-bulk"],
)
def test_finer_things_club_only_a_post_bulk_posting_the_club_counts(
    seeded: Seeded, method: str, path: str, operation: dict[str, Any]
) -> None:
    """RFC 7644 §3.7: the club is made in a Bulk request when a POST /Bulk holds an operation
    whose method is POST, whose path is /Groups and whose data is the club; a request with
    anything less made nothing the check can count (nor is it a plain POST /Groups)."""
    with another_client(seeded) as other:
        other.bulk(
            [BulkOperation(method="POST", path="/Groups", bulkId="c", data=_club_data(seeded))]
        )
    body = {"Operations": [{"data": _club_data(seeded), **operation}]}
    tenant = sent_only(seeded, accepted(seeded, method, path, body))
    assert told(checks.finer_things_club, tenant) == _FORGOTTEN_CLUB


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/Groups/0f1e", {"displayName": "Finer Things Club"}),
        ("POST", "/Users", {"displayName": "Finer Things Club"}),
        ("POST", "/Groups", None),
        ("POST", "/Groups", "Finer Things Club"),
    ],
    ids=["put", "users", "no-body", "body-not-an-object"],
)
def test_finer_things_club_only_a_post_groups_of_the_club_is_named_as_one(
    seeded: Seeded, method: str, path: str, body: Any
) -> None:
    """The hint names POST /Groups only for a POST /Groups whose body is the club."""
    with another_client(seeded) as other:
        other.bulk(
            [BulkOperation(method="POST", path="/Groups", bulkId="c", data=_club_data(seeded))]
        )
    tenant = sent_only(seeded, accepted(seeded, method, path, body))
    assert told(checks.finer_things_club, tenant) == _FORGOTTEN_CLUB


def test_finer_things_club_by_post_groups_says_so_in_full(seeded: Seeded) -> None:
    """Made with POST /Groups, then a Bulk PUT of the club and a Bulk POST of someone else:
    still not made in a Bulk request, and the hint says what made it."""
    client = seeded.client
    created = client.create_group(Group.from_dict(_club_data(seeded))).to_dict()
    visitor = {"userName": "bulk.visitor", "name": {"givenName": "Bulk", "familyName": "Visitor"}}
    client.bulk([BulkOperation(method="POST", path="/Users", bulkId="v", data=visitor)])
    put = BulkOperation(method="PUT", path=f"/Groups/{created['id']}", data=_club_data(seeded))
    client.bulk([put])
    says(
        checks.finer_things_club(client),
        "The club is right, but it was created with POST /Groups, not inside a POST /Bulk: the "
        "exercise asks for one Bulk request.",
    )


def test_finer_things_club_names_every_later_write_from_the_very_next(seeded: Seeded) -> None:
    """A PATCH sent right after the Bulk counts, and so does a PUT; the hint lists both."""
    client = seeded.client
    club = _club_data(seeded)
    pam_and_oscar = {**club, "members": club["members"][:2]}
    client.bulk([BulkOperation(method="POST", path="/Groups", bulkId="c", data=pam_and_oscar)])
    with another_client(seeded) as other:
        found = other.get_groups('displayName eq "Finer Things Club"').to_dict()
    club_id = found["Resources"][0]["id"]
    toby = PatchOp(operations=[Operation("add", "members", [club["members"][2]])])
    client.update_group(id=club_id, ops=toby)
    says(
        checks.finer_things_club(client),
        "The club is right, but after the Bulk request your client also sent PATCH /Groups/…: "
        "the exercise asks for one Bulk request whose POST carries the members.",
    )
    client.replace_group(Group.from_dict(club), id=club_id)
    says(
        checks.finer_things_club(client),
        "The club is right, but after the Bulk request your client also sent PATCH /Groups/…, "
        "PUT /Groups/…: the exercise asks for one Bulk request whose POST carries the members.",
    )


def test_holly_returns_says_its_tick_and_the_post_users_hint_in_full(seeded: Seeded) -> None:
    """Holly made by POST /Users and added by PATCH: the hint names POST /Users; made and added
    in one Bulk request: the ✓, word for word."""
    client = seeded.client
    holly = make_user(client, "hflax", "Holly", "Flax", externalId=course_external_id("hflax"))
    client.update_group(
        id=seeded.group_id,
        ops=PatchOp(operations=[Operation("add", "members", [{"value": holly}])]),
    )
    says(
        checks.holly_returns(client),
        "Holly is in, but she was created with POST /Users, not inside a POST /Bulk: the "
        "exercise asks for one Bulk request that creates her and adds her.",
    )
    client.delete_user(holly)
    _holly_in_one_bulk(client, seeded.group_id)
    says(
        checks.holly_returns(client),
        "Holly is back in Scranton, created and added in one Bulk request.",
    )


def test_holly_returns_a_post_groups_naming_her_is_no_post_users(seeded: Seeded) -> None:
    """Only a POST /Users whose body is Holly is named as the plain create."""
    marked = _holly(externalId=course_external_id("hflax"))
    with another_client(seeded) as other:
        other.bulk(
            [
                BulkOperation(method="POST", path="/Users", bulkId="h", data=marked),
                BulkOperation(
                    method="PATCH", path=f"/Groups/{seeded.group_id}", data=_join("bulkId:h")
                ),
            ]
        )
    tenant = sent_only(seeded, accepted(seeded, "POST", "/Groups", {"userName": "hflax"}))
    assert told(checks.holly_returns, tenant) == (
        "Holly is in, but she was created with no request your client still remembers, not "
        "inside a POST /Bulk: the exercise asks for one Bulk request that creates her and adds "
        "her."
    )
