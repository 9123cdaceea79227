"""Chapter 08's checks: one Bulk request, the course's externalId, and Holly's bulkId reference."""

from __future__ import annotations

from typing import Any

from scim_helper import checks, course_external_id
from sync_app.scim.group import Group, Member
from sync_app.scim.messages import BulkOperation
from sync_app.scim.patchop import PATCH_OP_SCHEMA, Operation, PatchOp

from .conftest import Seeded
from .test_checks import hint, make_user, members, ok, user_id

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


def test_holly_returns(seeded: Seeded) -> None:
    """✓ once Holly is created and added in one Bulk; a hint while she is not in the group."""
    hint(checks.holly_returns(seeded.client), "hflax")
    make_user(seeded.client, "hflax", "Holly", "Flax", externalId=course_external_id("hflax"))
    hint(checks.holly_returns(seeded.client), "bulkId")
    seeded.client.delete_user(user_id(seeded.client, "hflax"))
    seeded.client.bulk(
        [
            BulkOperation(
                method="POST",
                path="/Users",
                bulkId="holly",
                data=_holly(externalId=course_external_id("hflax")),
            ),
            BulkOperation(
                method="PATCH", path=f"/Groups/{seeded.group_id}", data=_join("bulkId:holly")
            ),
        ]
    )
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
